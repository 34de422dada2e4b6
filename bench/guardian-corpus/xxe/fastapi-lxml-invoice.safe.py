# expect: safe xxe CWE-611
import defusedxml.ElementTree as ET
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/invoice")
async def invoice(request: Request):
    root = ET.fromstring(await request.body())
    return {"total": root.findtext("total")}
