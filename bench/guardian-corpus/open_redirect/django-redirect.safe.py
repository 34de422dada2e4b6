# expect: safe open_redirect CWE-601
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def after_signup(request):
    target = request.GET.get("continue")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
