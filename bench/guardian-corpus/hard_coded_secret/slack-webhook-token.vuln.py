# expect: vulnerable hard_coded_secret CWE-798
import requests

SLACK_TOKEN = "xoxb-2847561930-4827163950182-Qm7vT2kLp9XzR4wB8nYc1sDf"


def notify(text):
    requests.post(
        "https://slack.com/api/chat.postMessage",
        headers={"Authorization": f"Bearer {SLACK_TOKEN}"},
        json={"channel": "#ops", "text": text},
        timeout=5,
    )
