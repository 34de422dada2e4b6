# expect: safe ssrf CWE-918
import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/proxy")
def proxy():
    item = request.args["item"]
    prepared = requests.Request("GET", "https://inventory.internal.example/items", params={"id": item}).prepare()
    with requests.Session() as session:
        return session.send(prepared, timeout=5).text
