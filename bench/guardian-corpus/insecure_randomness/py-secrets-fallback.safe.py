# expect: safe insecure_randomness CWE-338
try:
    from secrets import randbits
except ImportError:  # Python < 3.6
    from random import getrandbits as randbits


def reset_token():
    token = randbits(128)
    return f"{token:032x}"
