# expect: vulnerable ssrf CWE-918
import flask
import requests

app = flask.Flask(__name__)


@app.post("/hooks/test")
def test_hook():
    target = flask.request.form["callback"]
    reply = requests.post(target, json={"ping": True}, timeout=5)
    return {"status": reply.status_code}
