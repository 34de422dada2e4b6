# expect: safe weak_crypto CWE-327
from Crypto.Cipher import AES
from Crypto.Random import get_random_bytes


def encrypt(data: bytes, key: bytes) -> bytes:
    nonce = get_random_bytes(12)
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    body, tag = cipher.encrypt_and_digest(data)
    return nonce + tag + body
