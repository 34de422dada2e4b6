# expect: safe ssrf CWE-918
import requests
from flask import Flask, request

app = Flask(__name__)
WEATHER_API = "https://api.weather.example.com/v1/current"


@app.route("/fetch")
def fetch():
    city = request.args.get("city")
    r = requests.get(WEATHER_API, params={"city": city}, timeout=5)
    return r.text
