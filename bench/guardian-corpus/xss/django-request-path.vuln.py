# expect: vulnerable xss CWE-79
from django.http import HttpResponse


def missing_page(request):
    body = "<h1>Not found</h1><p>No page at " + request.path + "</p>"
    return HttpResponse(body, status=404)
