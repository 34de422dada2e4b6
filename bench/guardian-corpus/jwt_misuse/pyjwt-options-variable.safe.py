# expect: safe jwt_misuse CWE-347
import jwt

DECODE_OPTIONS = {"verify_signature": True, "require": ["exp", "sub"]}


def current_user(token, key):
    claims = jwt.decode(token, key, algorithms=["HS256"], options=DECODE_OPTIONS)
    return claims["sub"]
