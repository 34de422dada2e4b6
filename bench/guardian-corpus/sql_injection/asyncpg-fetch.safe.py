# expect: safe sql_injection CWE-89
import asyncpg
from aiohttp import web


async def list_orders(request: web.Request) -> web.Response:
    status = request.query.get("status", "open")
    conn = await asyncpg.connect(dsn=request.app["dsn"])
    try:
        rows = await conn.fetch("SELECT id, total FROM orders WHERE status = $1", status)
    finally:
        await conn.close()
    return web.json_response([dict(row) for row in rows])
