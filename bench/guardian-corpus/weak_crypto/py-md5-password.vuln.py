# expect: vulnerable weak_crypto CWE-327
import hashlib


def hash_password(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def check_password(password: str, stored: str) -> bool:
    return hash_password(password) == stored
