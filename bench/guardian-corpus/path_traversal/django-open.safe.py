# expect: safe path_traversal CWE-22
import os
from django.http import HttpResponse, Http404

LOG_DIR = "/var/log/app"


def read_log(request):
    name = os.path.basename(request.GET.get("file", ""))
    full = os.path.realpath(os.path.join(LOG_DIR, name))
    if not full.startswith(LOG_DIR + os.sep):
        raise Http404()
    with open(full) as fh:
        return HttpResponse(fh.read(), content_type="text/plain")
