# expect: safe ssrf CWE-918
import flask
import requests

app = flask.Flask(__name__)
HOOKS = {"billing": "https://billing.internal.example/hook", "audit": "https://audit.example.com/hook"}


@app.post("/hooks/test")
def test_hook():
    target = HOOKS.get(flask.request.form["callback"], HOOKS["audit"])
    reply = requests.post(target, json={"ping": True}, timeout=5)
    return {"status": reply.status_code}
