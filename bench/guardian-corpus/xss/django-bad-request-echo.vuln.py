# expect: vulnerable xss CWE-79
from django.http import HttpResponseBadRequest, JsonResponse


def set_theme(request):
    theme = request.GET.get("theme", "")
    if theme not in ("dark", "light"):
        return HttpResponseBadRequest(f"Unknown theme: {theme}")
    return JsonResponse({"theme": theme})
