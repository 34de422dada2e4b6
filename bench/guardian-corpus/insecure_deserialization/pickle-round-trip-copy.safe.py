# expect: safe insecure_deserialization CWE-502
import pickle


def handler(event, context):
    # a deep copy: pickle reads back only the bytes it has just written
    snapshot = pickle.loads(pickle.dumps(event["body"]))
    return {"statusCode": 202, "body": str(snapshot)}
