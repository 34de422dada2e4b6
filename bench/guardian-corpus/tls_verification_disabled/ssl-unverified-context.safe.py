# expect: safe tls_verification_disabled CWE-295
import ssl
import urllib.request


def download(url):
    ctx = ssl.create_default_context()
    with urllib.request.urlopen(url, context=ctx) as resp:
        return resp.read()
