# expect: safe insecure_deserialization CWE-502
import yaml
from django.http import JsonResponse


def upload_manifest(request):
    manifest = yaml.safe_load(request.body)
    return JsonResponse({"name": manifest.get("name")})
