# expect: vulnerable command_injection CWE-78
import subprocess
from django.http import HttpResponse


def lookup(request):
    domain = request.GET["domain"]
    out = subprocess.run(f"nslookup {domain}", shell=True, capture_output=True, text=True)
    return HttpResponse(out.stdout, content_type="text/plain")
