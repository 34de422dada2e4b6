# expect: vulnerable command_injection CWE-78
import subprocess


def handler(event, context):
    pattern = event["pattern"]
    found = subprocess.run("grep -rl {} /opt/data".format(pattern), shell=True, capture_output=True, text=True)
    return {"matches": found.stdout.splitlines()}
