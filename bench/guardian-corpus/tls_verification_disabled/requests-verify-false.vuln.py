# expect: vulnerable tls_verification_disabled CWE-295
import requests


def get_status(host):
    r = requests.get(f"https://{host}/health", verify=False, timeout=3)
    return r.json()
