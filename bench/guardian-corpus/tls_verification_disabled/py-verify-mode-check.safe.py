# expect: safe tls_verification_disabled CWE-295
import socket
import ssl

MODE_NAMES = {ssl.CERT_NONE: "none", ssl.CERT_OPTIONAL: "optional", ssl.CERT_REQUIRED: "required"}


def open_channel(host, context):
    if context.verify_mode == ssl.CERT_NONE:
        raise ValueError("refusing a context that does not verify certificates")
    print("verification:", MODE_NAMES[context.verify_mode])
    return context.wrap_socket(socket.create_connection((host, 443)), server_hostname=host)
