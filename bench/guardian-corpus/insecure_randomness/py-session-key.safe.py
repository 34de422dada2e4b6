# expect: safe insecure_randomness CWE-338
import secrets


class SessionStore:
    def __init__(self):
        self.sessions = {}

    def create(self, user_id):
        session_key = secrets.token_hex(16)
        self.sessions[session_key] = user_id
        return session_key
