# expect: safe ssrf CWE-918
import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/avatar")
async def avatar(user_id: int):
    async with httpx.AsyncClient() as client:
        resp = await client.get(f"https://avatars.example.com/{int(user_id)}.png")
    return {"size": len(resp.content)}
