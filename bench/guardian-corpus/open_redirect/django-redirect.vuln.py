# expect: vulnerable open_redirect CWE-601
from django.shortcuts import redirect


def after_signup(request):
    target = request.GET.get("continue")
    return redirect(target)
