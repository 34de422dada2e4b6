# expect: vulnerable tls_verification_disabled CWE-295
import paramiko


def run_remote(host, command):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, username="deploy", key_filename="/etc/deploy/id_ed25519")
    _, stdout, _ = client.exec_command(command)
    return stdout.read()
