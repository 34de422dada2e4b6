# expect: safe insecure_transport CWE-319
import requests

API = "https://api.partner-bank.com/v1"


def transfer(token, amount, to):
    return requests.post(f"{API}/transfers", json={"amount": amount, "to": to}, headers={"Authorization": token}, timeout=10)
