# expect: safe weak_crypto CWE-327
from OpenSSL import SSL


def server_context(cert_file: str, key_file: str) -> SSL.Context:
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
    ctx.use_certificate_file(cert_file)
    ctx.use_privatekey_file(key_file)
    return ctx
