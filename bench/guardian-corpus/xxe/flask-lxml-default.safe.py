# expect: safe xxe CWE-611
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@app.route("/orders", methods=["POST"])
def import_orders():
    root = etree.fromstring(request.data, PARSER)
    return {"orders": len(root.findall("order"))}
