# expect: safe xss CWE-79
from flask import Flask, request, render_template

app = Flask(__name__)


@app.get("/search")
def search():
    q = request.args.get("q", "")
    return render_template("search.html", q=q)
