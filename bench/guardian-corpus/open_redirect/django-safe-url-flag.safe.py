# expect: safe open_redirect CWE-601
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def login_done(request):
    target = request.GET.get("next", "/")
    allowed = url_has_allowed_host_and_scheme(url=target, allowed_hosts={request.get_host()})
    if allowed:
        return HttpResponseRedirect(target)
    return HttpResponseRedirect("/")
