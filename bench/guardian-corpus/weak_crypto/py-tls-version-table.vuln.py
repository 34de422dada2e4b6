# expect: vulnerable weak_crypto CWE-327
from OpenSSL import SSL


def legacy_context(cert, key):
    context = SSL.Context(SSL.TLSv1_METHOD)
    context.use_certificate_file(cert)
    context.use_privatekey_file(key)
    return context
