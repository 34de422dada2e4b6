# expect: vulnerable xss CWE-79
from flask import Flask, request

app = Flask(__name__)


@app.get("/search")
def search():
    q = request.args.get("q", "")
    return f"<p>Results for {q}</p>"
