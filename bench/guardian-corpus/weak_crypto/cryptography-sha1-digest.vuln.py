# expect: vulnerable weak_crypto CWE-328
from cryptography.hazmat.primitives import hashes


def fingerprint(document: bytes) -> bytes:
    digest = hashes.Hash(hashes.SHA1())
    digest.update(document)
    return digest.finalize()
