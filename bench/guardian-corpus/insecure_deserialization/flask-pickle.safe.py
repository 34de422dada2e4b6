# expect: safe insecure_deserialization CWE-502
import base64
import json
from flask import Flask, request

app = Flask(__name__)


@app.route("/restore", methods=["POST"])
def restore():
    state = json.loads(base64.b64decode(request.data))
    return {"keys": list(state)}
