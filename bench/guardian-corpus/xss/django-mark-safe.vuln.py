# expect: vulnerable xss CWE-79
from django.shortcuts import render
from django.utils.safestring import mark_safe


def comment_preview(request):
    body = request.POST.get("body", "")
    return render(request, "preview.html", {"body": mark_safe(body)})
