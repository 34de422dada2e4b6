# expect: safe hard_coded_secret CWE-798
import os
import requests

SLACK_TOKEN = os.getenv("SLACK_TOKEN")


def notify(text):
    requests.post(
        "https://slack.com/api/chat.postMessage",
        headers={"Authorization": f"Bearer {SLACK_TOKEN}"},
        json={"channel": "#ops", "text": text},
        timeout=5,
    )
