# expect: vulnerable xss CWE-79
from flask import Flask, request, render_template_string

app = Flask(__name__)


@app.route("/card")
def card():
    title = request.args.get("title", "")
    return render_template_string("<div class='card'>" + title + "</div>")
