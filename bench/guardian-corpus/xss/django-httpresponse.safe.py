# expect: safe xss CWE-79
from django.http import HttpResponse
from django.utils.html import escape


def profile(request):
    nickname = request.GET.get("nick", "")
    return HttpResponse("<span class='nick'>" + escape(nickname) + "</span>")
