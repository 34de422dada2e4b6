# expect: vulnerable command_injection CWE-78
import subprocess

from flask import Flask, request

app = Flask(__name__)


def archive(folder):
    return subprocess.check_output(f"tar -czf /tmp/backup.tgz {folder}", shell=True)


@app.post("/backup")
def backup():
    archive(request.form["folder"])
    return "", 202
