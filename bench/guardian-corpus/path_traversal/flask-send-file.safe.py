# expect: safe path_traversal CWE-22
import os
from flask import Flask, request, send_from_directory

app = Flask(__name__)
REPORTS = "/srv/reports"


@app.route("/reports")
def report():
    name = request.args["name"]
    return send_from_directory(REPORTS, name)
