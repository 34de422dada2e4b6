# expect: safe xss CWE-79
from django.shortcuts import render


def comment_preview(request):
    body = request.POST.get("body", "")
    return render(request, "preview.html", {"body": body})
