# expect: vulnerable ssrf CWE-918
import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/proxy")
def proxy():
    target = request.args["target"]
    prepared = requests.Request("GET", target).prepare()
    with requests.Session() as session:
        return session.send(prepared, timeout=5).text
