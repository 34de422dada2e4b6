# expect: vulnerable nosql_injection CWE-943
from fastapi import FastAPI, Request
from motor.motor_asyncio import AsyncIOMotorClient

app = FastAPI()
users = AsyncIOMotorClient().app.users


@app.post("/users/query")
async def query_users(request: Request):
    body = await request.json()
    cursor = users.find(body["query"])
    return [u["name"] async for u in cursor]
