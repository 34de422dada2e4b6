# expect: safe ssrf CWE-918
# model: python/cloud-sdks.json
import os

from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient
from flask import Flask, request

app = Flask(__name__)


@app.get("/secret")
def secret():
    client = SecretClient(vault_url=os.environ["VAULT_URL"], credential=DefaultAzureCredential())
    return {"value": client.get_secret(request.args["name"]).value}
