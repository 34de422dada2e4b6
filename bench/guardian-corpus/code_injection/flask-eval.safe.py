# expect: safe code_injection CWE-95
import ast
from flask import Flask, request

app = Flask(__name__)


@app.post("/rules/evaluate")
def evaluate():
    expression = request.json["expression"]
    return {"value": ast.literal_eval(expression)}
