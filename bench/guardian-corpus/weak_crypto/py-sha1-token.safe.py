# expect: safe weak_crypto CWE-327
import secrets


def api_token(user_id):
    return f"{user_id}.{secrets.token_urlsafe(32)}"
