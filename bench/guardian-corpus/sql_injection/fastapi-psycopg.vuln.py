# expect: vulnerable sql_injection CWE-89
from fastapi import FastAPI
import psycopg2

app = FastAPI()
conn = psycopg2.connect("dbname=inventory")


@app.get("/items/{category}")
def list_items(category: str, limit: int = 20):
    with conn.cursor() as cur:
        query = "SELECT sku, name FROM items WHERE category = '{}' LIMIT {}".format(category, limit)
        cur.execute(query)
        return cur.fetchall()
