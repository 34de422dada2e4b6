# expect: vulnerable xss CWE-79
from flask import Flask, request
from jinja2 import Environment, FileSystemLoader

app = Flask(__name__)
env = Environment(loader=FileSystemLoader("templates"), autoescape=False)


@app.route("/profile")
def profile():
    return env.get_template("profile.html").render(bio=request.args.get("bio", ""))
