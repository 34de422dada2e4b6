# expect: vulnerable tls_verification_disabled CWE-295
import ssl
import urllib.request


def download(url):
    ctx = ssl._create_unverified_context()
    with urllib.request.urlopen(url, context=ctx) as resp:
        return resp.read()
