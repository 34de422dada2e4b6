# expect: safe xss CWE-79
from flask import Flask, render_template, request
from markupsafe import Markup, escape

app = Flask(__name__)


@app.route("/search")
def search():
    term = request.args.get("term")
    if term:
        label = "Results for " + escape(term)
    else:
        label = "All results"
    return render_template("search.html", label=Markup(label))
