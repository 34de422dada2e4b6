# expect: safe nosql_injection CWE-943
from flask import Flask, request, jsonify
from pymongo import MongoClient

app = Flask(__name__)
db = MongoClient()["crm"]


@app.route("/contacts", methods=["POST"])
def find_contacts():
    company = str(request.get_json().get("company", ""))
    return jsonify(list(db.contacts.find({"company": company}, {"_id": 0})))
