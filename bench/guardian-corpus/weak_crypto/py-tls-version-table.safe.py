# expect: safe weak_crypto CWE-327
import ssl

from OpenSSL import SSL

TRANSLATE = {ssl.PROTOCOL_TLS_CLIENT: SSL.TLS_CLIENT_METHOD}
TRANSLATE[ssl.PROTOCOL_TLSv1] = SSL.TLSv1_METHOD
REJECTED = {ssl.PROTOCOL_SSLv3: "SSLv3", ssl.PROTOCOL_TLSv1_1: "TLS 1.1"}


def context_for(protocol):
    if protocol in REJECTED:
        raise ValueError(f"{REJECTED[protocol]} is not allowed")
    return SSL.Context(SSL.TLS_METHOD)
