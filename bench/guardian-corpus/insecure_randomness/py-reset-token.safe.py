# expect: safe insecure_randomness CWE-338
import secrets
import string


def make_reset_token(length=32):
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))
