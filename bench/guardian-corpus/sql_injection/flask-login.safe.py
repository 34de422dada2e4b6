# expect: safe sql_injection CWE-89
import sqlite3
from flask import Flask, request, jsonify

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    conn = sqlite3.connect("app.db")
    cur = conn.cursor()
    cur.execute("SELECT id, pw_hash FROM users WHERE username = ?", (username,))
    row = cur.fetchone()
    return jsonify(found=row is not None)
