# expect: safe xss CWE-79
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)


@app.route("/welcome")
def welcome():
    name = request.args.get("name", "guest")
    return f"<h2>Welcome, {escape(name)}!</h2>"
