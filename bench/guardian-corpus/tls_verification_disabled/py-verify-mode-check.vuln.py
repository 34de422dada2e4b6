# expect: vulnerable tls_verification_disabled CWE-295
import socket
import ssl


def open_channel(host):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(socket.create_connection((host, 443)), server_hostname=host)
