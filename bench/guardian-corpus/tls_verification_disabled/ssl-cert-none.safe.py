# expect: safe tls_verification_disabled CWE-295
import socket
import ssl


def open_channel(host, port):
    context = ssl.create_default_context()
    context.verify_mode = ssl.CERT_REQUIRED
    return context.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
