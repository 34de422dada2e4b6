# expect: vulnerable code_injection CWE-95
from flask import Flask, request

app = Flask(__name__)


@app.post("/rules/evaluate")
def evaluate():
    expression = request.json["expression"]
    return {"value": eval(expression)}
