# expect: safe code_injection CWE-95
from re import compile, escape

from flask import Flask, request

app = Flask(__name__)


@app.route("/find")
def find():
    pattern = compile(escape(request.args["q"]))
    return {"match": bool(pattern.search("some indexed text"))}
