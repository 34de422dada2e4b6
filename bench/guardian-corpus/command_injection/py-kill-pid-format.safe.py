# expect: safe command_injection CWE-78
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/signal", methods=["POST"])
def signal():
    os.system("kill -%d %d" % (request.form["sig"], request.form["pid"]))
    return "sent"
