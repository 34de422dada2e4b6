# expect: vulnerable weak_crypto CWE-327
import hashlib
import time


def api_token(user_id):
    raw = f"{user_id}:{time.time()}"
    return hashlib.new("sha1", raw.encode()).hexdigest()
