# expect: vulnerable xss CWE-79
from flask import Flask, request
from markupsafe import Markup

app = Flask(__name__)


@app.route("/welcome")
def welcome():
    name = request.args.get("name", "guest")
    return Markup("<h2>Welcome, %s!</h2>" % name)
