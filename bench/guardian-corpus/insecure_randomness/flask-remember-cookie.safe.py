# expect: safe insecure_randomness CWE-338
# model: python/cookies.json
import secrets
from flask import Flask, make_response

app = Flask(__name__)


@app.post("/login")
def login():
    response = make_response("welcome")
    remember = secrets.token_urlsafe(32)
    response.set_cookie("remember_me", remember, secure=True, httponly=True)
    return response
