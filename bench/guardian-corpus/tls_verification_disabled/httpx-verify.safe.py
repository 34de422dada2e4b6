# expect: safe tls_verification_disabled CWE-295
import httpx

client = httpx.Client(base_url="https://billing.internal", verify="/etc/ssl/billing-ca.pem")


def invoices():
    return client.get("/invoices").json()
