# expect: safe tls_verification_disabled CWE-295
import requests


def get_status(host):
    r = requests.get(f"https://{host}/health", verify="/etc/ssl/certs/internal-ca.pem", timeout=3)
    return r.json()
