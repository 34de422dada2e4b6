# expect: vulnerable tls_verification_disabled CWE-295
import httpx

client = httpx.Client(base_url="https://billing.internal", verify=False)


def invoices():
    return client.get("/invoices").json()
