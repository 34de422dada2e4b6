# expect: safe jwt_misuse CWE-347
import jwt


def read_claims(token, key):
    return jwt.decode(token, key, algorithms=["HS256"])
