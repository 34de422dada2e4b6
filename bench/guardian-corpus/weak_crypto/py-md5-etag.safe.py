# expect: safe weak_crypto CWE-328
import hashlib


def cache_key(path, version):
    return hashlib.md5(f"{path}:{version}".encode()).hexdigest()


def respond(body, headers):
    etag = hashlib.md5(body).hexdigest()
    headers["ETag"] = f'"{etag}"'
    return body
