# expect: vulnerable open_redirect CWE-601
from flask import Flask, redirect, request, session

app = Flask(__name__)


@app.route("/login", methods=["POST"])
def login():
    session["user"] = request.form["user"]
    return redirect(request.args.get("next", "/"))
