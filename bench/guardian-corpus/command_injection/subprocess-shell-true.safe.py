# expect: safe command_injection CWE-78
import subprocess
from django.http import HttpResponse


def convert(request):
    fmt = request.POST["format"]
    src = request.POST["path"]
    subprocess.call(["ffmpeg", "-i", src, "out." + fmt])
    return HttpResponse("queued")
