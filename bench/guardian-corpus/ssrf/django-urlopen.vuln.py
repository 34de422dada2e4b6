# expect: vulnerable ssrf CWE-918
from urllib.request import urlopen
from django.http import HttpResponse


def import_feed(request):
    feed_url = request.POST["feed"]
    data = urlopen(feed_url).read()
    return HttpResponse(data[:200])
