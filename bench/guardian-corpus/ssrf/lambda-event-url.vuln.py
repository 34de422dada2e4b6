# expect: vulnerable ssrf CWE-918
import json

import requests


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    preview = requests.get(params["url"], timeout=5)
    return {"statusCode": 200, "body": json.dumps({"length": len(preview.content)})}
