# expect: safe command_injection CWE-78
import shlex
import subprocess
from fastapi import FastAPI

app = FastAPI()


@app.get("/whois/{domain}")
def whois(domain: str):
    out = subprocess.check_output(["whois", domain])
    return {"raw": out.decode(), "cmd": shlex.join(["whois", domain])}
