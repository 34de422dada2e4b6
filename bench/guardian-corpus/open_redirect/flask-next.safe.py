# expect: safe open_redirect CWE-601
from urllib.parse import urlparse
from flask import Flask, redirect, request, session, url_for

app = Flask(__name__)


@app.route("/login", methods=["POST"])
def login():
    session["user"] = request.form["user"]
    return redirect(url_for("index"))
