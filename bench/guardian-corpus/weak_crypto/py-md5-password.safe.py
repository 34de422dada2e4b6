# expect: safe weak_crypto CWE-327
import hashlib
import hmac
import os


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 600_000)
    return salt.hex() + ":" + digest.hex()


def check_password(password: str, stored: str) -> bool:
    salt, _ = stored.split(":")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)
