# expect: vulnerable weak_crypto CWE-327
from Crypto.Cipher import DES


def encrypt(data: bytes, key: bytes) -> bytes:
    cipher = DES.new(key, DES.MODE_ECB)
    pad = 8 - len(data) % 8
    return cipher.encrypt(data + bytes([pad]) * pad)
