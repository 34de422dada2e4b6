# expect: safe xss CWE-79
from django.http import HttpResponse
from django.utils.html import escape


def missing_page(request):
    body = "<h1>Not found</h1><p>No page at " + escape(request.path) + "</p>"
    return HttpResponse(body, status=404)
