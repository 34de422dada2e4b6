# expect: safe xss CWE-79
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)


@app.get("/hello")
def hello():
    name = request.args.get("name")
    if not name:
        name = ""
    return f"Parameter value: {escape(name)}"
