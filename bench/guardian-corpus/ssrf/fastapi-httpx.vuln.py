# expect: vulnerable ssrf CWE-918
import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/avatar")
async def avatar(source: str):
    async with httpx.AsyncClient() as client:
        resp = await client.get(source)
    return {"size": len(resp.content)}
