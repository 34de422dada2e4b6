# expect: vulnerable insecure_deserialization CWE-502
import base64
import pickle


def handler(event, context):
    job = pickle.loads(base64.b64decode(event["body"]))
    return {"statusCode": 202, "body": str(job)}
