# expect: safe command_injection CWE-78
import os
from flask import Flask, request

app = Flask(__name__)


@app.post("/ping")
def ping():
    host = request.form.get("host")
    if not host:
        host = "localhost"
    else:
        host = "127.0.0.1"
    os.system("ping -c 1 " + host)
    return "sent"
