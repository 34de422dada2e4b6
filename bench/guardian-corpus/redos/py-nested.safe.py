# expect: safe redos CWE-1333
import re
from flask import Flask, request

app = Flask(__name__)
PATTERN = re.compile(r"^\d+$")


@app.get("/check")
def check():
    return {"ok": bool(PATTERN.match(request.args.get("v", "")))}
