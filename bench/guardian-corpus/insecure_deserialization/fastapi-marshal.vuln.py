# expect: vulnerable insecure_deserialization CWE-502
import marshal
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/jobs")
async def submit(request: Request):
    payload = marshal.loads(await request.body())
    return {"job": payload["id"]}
