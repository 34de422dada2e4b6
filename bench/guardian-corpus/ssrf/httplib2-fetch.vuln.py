# expect: vulnerable ssrf CWE-918
# model: python/http-clients.json
import httplib2
from flask import Flask, request

app = Flask(__name__)


@app.get("/fetch")
def fetch():
    http = httplib2.Http(timeout=5)
    _, body = http.request(request.args["url"])
    return body
