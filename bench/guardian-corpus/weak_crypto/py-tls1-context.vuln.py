# expect: vulnerable weak_crypto CWE-327
import socket
import ssl


def open_channel(host: str, port: int) -> ssl.SSLSocket:
    context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    context.load_default_certs()
    raw = socket.create_connection((host, port))
    return context.wrap_socket(raw, server_hostname=host)
