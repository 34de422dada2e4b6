# expect: safe weak_crypto CWE-327
import os
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def encrypt_block(key: bytes, block: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, block, None)
