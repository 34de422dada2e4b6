# expect: safe command_injection CWE-78
import subprocess
from flask import Flask, request

app = Flask(__name__)


@app.route("/diag/ping")
def ping():
    host = request.args.get("host", "localhost")
    result = subprocess.run(["ping", "-c", "1", host], capture_output=True, text=True, check=False)
    return {"output": result.stdout}
