# expect: safe ssrf CWE-918
import json
from urllib.parse import quote

import requests


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    item = requests.get("https://catalog.example.com/items/" + quote(params["id"]), timeout=5)
    return {"statusCode": 200, "body": json.dumps({"length": len(item.content)})}
