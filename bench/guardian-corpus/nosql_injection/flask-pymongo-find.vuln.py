# expect: vulnerable nosql_injection CWE-943
from flask import Flask, request, jsonify
from pymongo import MongoClient

app = Flask(__name__)
db = MongoClient()["crm"]


@app.route("/contacts", methods=["POST"])
def find_contacts():
    criteria = request.get_json()
    return jsonify(list(db.contacts.find(criteria, {"_id": 0})))
