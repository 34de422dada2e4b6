# expect: vulnerable open_redirect CWE-601
from django.http import HttpResponseRedirect


def login_done(request):
    target = request.GET.get("next", "/")
    remember = request.GET.get("remember") == "1"
    if remember:
        return HttpResponseRedirect(target)
    return HttpResponseRedirect("/")
