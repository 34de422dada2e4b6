# expect: vulnerable insecure_deserialization CWE-502
import yaml
from django.http import JsonResponse


def upload_manifest(request):
    manifest = yaml.load(request.body, Loader=yaml.Loader)
    return JsonResponse({"name": manifest.get("name")})
