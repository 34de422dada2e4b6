# expect: safe permissive_cors CWE-942
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, resources={r"/api/*": {"origins": ["https://app.example.com"], "supports_credentials": True}})
