# expect: vulnerable code_injection CWE-95
from flask import Flask, request

app = Flask(__name__)


@app.post("/calc")
def calc():
    param = request.form.get("expression", "")
    num = 86
    bar = param if 7 * 18 + num > 200 else "1 + 1"
    return str(eval(bar))
