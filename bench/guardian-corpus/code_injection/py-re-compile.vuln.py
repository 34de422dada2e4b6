# expect: vulnerable code_injection CWE-95
from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    program = compile(request.args["expr"], "<calc>", "eval")
    return str(eval(program, {"__builtins__": {}}))
