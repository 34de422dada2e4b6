# expect: safe jwt_misuse CWE-347
import os
import jwt
from flask import request, abort


def current_user():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    claims = jwt.decode(token, os.environ["JWT_SECRET"], algorithms=["HS256"])
    if "sub" not in claims:
        abort(401)
    return claims["sub"]
