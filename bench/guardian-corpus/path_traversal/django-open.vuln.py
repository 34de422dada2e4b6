# expect: vulnerable path_traversal CWE-22
from django.http import HttpResponse


def read_log(request):
    name = request.GET.get("file")
    with open("/var/log/app/" + name) as fh:
        return HttpResponse(fh.read(), content_type="text/plain")
