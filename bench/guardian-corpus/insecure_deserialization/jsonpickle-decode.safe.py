# expect: safe insecure_deserialization CWE-502
import json
from flask import Flask, request

app = Flask(__name__)


@app.post("/session")
def session_restore():
    obj = json.loads(request.get_data(as_text=True))
    return {"type": type(obj).__name__}
