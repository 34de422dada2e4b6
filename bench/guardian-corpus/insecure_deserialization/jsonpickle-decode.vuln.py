# expect: vulnerable insecure_deserialization CWE-502
import jsonpickle
from flask import Flask, request

app = Flask(__name__)


@app.post("/session")
def session_restore():
    obj = jsonpickle.decode(request.get_data(as_text=True))
    return {"type": type(obj).__name__}
