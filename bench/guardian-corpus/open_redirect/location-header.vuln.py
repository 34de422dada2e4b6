# expect: vulnerable open_redirect CWE-601
from flask import Flask, Response, request

app = Flask(__name__)


@app.route("/continue")
def continue_to():
    destination = request.args.get("to", "/")
    response = Response(status=303)
    response.headers["Location"] = destination
    return response
