# expect: vulnerable xxe CWE-611
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.route("/orders", methods=["POST"])
def import_orders():
    root = etree.fromstring(request.data)
    return {"orders": len(root.findall("order"))}
