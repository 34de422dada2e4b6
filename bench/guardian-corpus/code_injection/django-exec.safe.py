# expect: safe code_injection CWE-95
from django.http import HttpResponse

HOOKS = {"upper": str.upper, "lower": str.lower}


def run_hook(request):
    name = request.POST.get("hook", "")
    fn = HOOKS.get(name, str)
    return HttpResponse(fn(request.POST.get("text", "")))
