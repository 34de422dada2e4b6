# expect: safe weak_crypto CWE-327
import socket
import ssl


def open_channel(host: str, port: int) -> ssl.SSLSocket:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    raw = socket.create_connection((host, port))
    return context.wrap_socket(raw, server_hostname=host)
