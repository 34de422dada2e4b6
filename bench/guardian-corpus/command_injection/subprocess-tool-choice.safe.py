# expect: safe command_injection CWE-78
import subprocess
from flask import Flask, request

app = Flask(__name__)


@app.post("/convert")
def convert():
    target = request.json["format"]
    done = subprocess.run(["pandoc", "--to", target, "upload.docx"], capture_output=True)
    return {"code": done.returncode}
