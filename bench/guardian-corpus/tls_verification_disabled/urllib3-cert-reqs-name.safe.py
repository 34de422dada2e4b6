# expect: safe tls_verification_disabled CWE-295
import urllib3

http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")


def fetch_status(url):
    return http.request("GET", url).status
