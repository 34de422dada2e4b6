# expect: vulnerable insecure_transport CWE-319
import json
import urllib.request


def fetch_profile(token):
    req = urllib.request.Request("http://accounts.example.com/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)
