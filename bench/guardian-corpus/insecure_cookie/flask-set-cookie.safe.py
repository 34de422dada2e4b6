# expect: safe insecure_cookie CWE-614
from flask import Flask, make_response

app = Flask(__name__)


@app.post("/login")
def login():
    resp = make_response({"ok": True})
    resp.set_cookie("session_id", "abc", httponly=True, secure=True, samesite="Lax")
    return resp
