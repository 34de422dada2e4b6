# expect: vulnerable xss CWE-79
from django.http import HttpResponse


def profile(request):
    nickname = request.GET.get("nick", "")
    return HttpResponse("<span class='nick'>" + nickname + "</span>")
