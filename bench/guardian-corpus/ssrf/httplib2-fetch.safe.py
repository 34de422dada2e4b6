# expect: safe ssrf CWE-918
# model: python/http-clients.json
import httplib2
from flask import Flask, request

app = Flask(__name__)
FEEDS = {"news": "https://feeds.example.com/news.xml", "blog": "https://feeds.example.com/blog.xml"}


@app.get("/fetch")
def fetch():
    http = httplib2.Http(timeout=5)
    _, body = http.request(FEEDS.get(request.args["feed"], FEEDS["news"]))
    return body
