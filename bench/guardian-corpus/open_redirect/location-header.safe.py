# expect: safe open_redirect CWE-601
from flask import Flask, Response, request, url_for

app = Flask(__name__)


@app.route("/continue")
def continue_to():
    page = request.args.get("to", "home")
    response = Response(status=303)
    response.headers["Location"] = url_for("pages", name=page)
    return response
