# expect: vulnerable jwt_misuse CWE-347
import jwt
from flask import request, abort


def current_user():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    if "sub" not in claims:
        abort(401)
    return claims["sub"]
