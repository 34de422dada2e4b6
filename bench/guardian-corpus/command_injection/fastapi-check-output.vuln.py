# expect: vulnerable command_injection CWE-78
import subprocess
from fastapi import FastAPI

app = FastAPI()


@app.get("/whois/{domain}")
def whois(domain: str):
    out = subprocess.check_output("whois " + domain, shell=True)
    return {"raw": out.decode()}
