# expect: safe command_injection CWE-78
import subprocess


def handler(event, context):
    pattern = event["pattern"]
    # no shell, and an argument list: the program is the constant `grep`, the pattern only an argument
    listing = subprocess.run(["grep", "-rl", "--", pattern, "/opt/data"], capture_output=True, text=True)
    return {"matches": listing.stdout.splitlines()}
