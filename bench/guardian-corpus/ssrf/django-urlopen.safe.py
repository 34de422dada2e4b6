# expect: safe ssrf CWE-918
from urllib.parse import urlparse
from urllib.request import urlopen
from django.http import HttpResponse, HttpResponseBadRequest

FEEDS = {"news": "https://news.example.com/rss", "blog": "https://blog.example.com/rss"}


def import_feed(request):
    feed = FEEDS.get(request.POST["feed"])
    if feed is None:
        return HttpResponseBadRequest()
    data = urlopen(feed).read()
    return HttpResponse(data[:200])
