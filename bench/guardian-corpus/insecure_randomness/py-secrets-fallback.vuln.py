# expect: vulnerable insecure_randomness CWE-338
from random import getrandbits


def reset_token():
    token = getrandbits(128)
    return f"{token:032x}"
