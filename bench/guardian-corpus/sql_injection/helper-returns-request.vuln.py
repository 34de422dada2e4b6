# expect: vulnerable sql_injection CWE-89
import sqlite3

from flask import Flask, request

app = Flask(__name__)


def sort_column():
    return request.args.get("sort", "name")


@app.get("/users")
def users():
    db = sqlite3.connect("app.db")
    rows = db.execute("SELECT name FROM users ORDER BY " + sort_column()).fetchall()
    return {"users": [row[0] for row in rows]}
