# expect: vulnerable redos CWE-1333
import re
from django.http import JsonResponse
from .models import Tag


def tag_search(request):
    pattern = request.GET["pattern"]
    tags = [t.name for t in Tag.objects.all() if re.search(pattern, t.name)]
    return JsonResponse({"tags": tags})
