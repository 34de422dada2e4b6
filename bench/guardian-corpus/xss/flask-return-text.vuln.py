# expect: vulnerable xss CWE-79
from flask import Flask, request

app = Flask(__name__)


@app.get("/hello")
def hello():
    name = request.args.get("name")
    if not name:
        name = ""
    return f"Parameter value: {name}"
