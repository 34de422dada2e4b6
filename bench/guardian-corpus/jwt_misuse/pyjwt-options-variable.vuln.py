# expect: vulnerable jwt_misuse CWE-347
import jwt

DECODE_OPTIONS = {"verify_signature": False, "verify_exp": True}


def current_user(token, key):
    claims = jwt.decode(token, key, algorithms=["HS256"], options=DECODE_OPTIONS)
    return claims["sub"]
