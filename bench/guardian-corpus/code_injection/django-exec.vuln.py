# expect: vulnerable code_injection CWE-95
from django.http import HttpResponse


def run_hook(request):
    code = request.POST.get("hook", "")
    scope = {}
    exec(code, scope)
    return HttpResponse(str(scope.get("result")))
