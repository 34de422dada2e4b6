# expect: vulnerable path_traversal CWE-22
from flask import Flask, request

app = Flask(__name__)


@app.route("/notes")
def notes():
    with open("/srv/notes/" + request.args["name"]) as handle:
        return handle.read()
