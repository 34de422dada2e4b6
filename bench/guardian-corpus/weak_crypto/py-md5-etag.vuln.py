# expect: vulnerable weak_crypto CWE-328
import hashlib


def sign_download(path, expires, key):
    signature = hashlib.md5(f"{key}:{path}:{expires}".encode()).hexdigest()
    return f"{path}?expires={expires}&sig={signature}"
