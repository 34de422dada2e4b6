# expect: vulnerable insecure_randomness CWE-338
import random


class SessionStore:
    def __init__(self):
        self.sessions = {}

    def create(self, user_id):
        session_key = "%032x" % random.getrandbits(128)
        self.sessions[session_key] = user_id
        return session_key
