# expect: safe insecure_transport CWE-319
import paramiko


def reboot_switch(host, password):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.connect(host, username="admin", password=password)
    client.exec_command("reload")
