# expect: safe insecure_deserialization CWE-502
import json
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/jobs")
async def submit(request: Request):
    payload = json.loads(await request.body())
    return {"job": payload["id"]}
