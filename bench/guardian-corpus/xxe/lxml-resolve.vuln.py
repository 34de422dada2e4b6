# expect: vulnerable xxe CWE-611
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.post("/xml")
def parse_xml():
    parser = etree.XMLParser(resolve_entities=True)
    root = etree.fromstring(request.data, parser)
    return {"tag": root.tag}
