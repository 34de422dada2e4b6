# expect: vulnerable ssrf CWE-918
# model: python/cloud-sdks.json
from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient
from flask import Flask, request

app = Flask(__name__)


@app.get("/secret")
def secret():
    client = SecretClient(vault_url=request.args["vault"], credential=DefaultAzureCredential())
    return {"value": client.get_secret("api").value}
