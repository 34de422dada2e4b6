# expect: vulnerable command_injection CWE-78
import os
from flask import Flask, request

app = Flask(__name__)


@app.route("/diag/ping")
def ping():
    host = request.args.get("host", "localhost")
    stream = os.popen("ping -c 1 " + host)
    return "<pre>" + stream.read() + "</pre>"
