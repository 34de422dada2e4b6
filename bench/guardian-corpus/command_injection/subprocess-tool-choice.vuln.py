# expect: vulnerable command_injection CWE-78
import subprocess
from flask import Flask, request

app = Flask(__name__)


@app.post("/convert")
def convert():
    tool = request.json["converter"]
    done = subprocess.run([tool, "--to", "pdf", "upload.docx"], capture_output=True)
    return {"code": done.returncode}
