# expect: safe permissive_cors CWE-942
from flask import Flask, request

app = Flask(__name__)
ALLOWED = {"https://app.example.com"}


@app.after_request
def add_cors(response):
    origin = request.headers.get("Origin")
    if origin in ALLOWED:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
