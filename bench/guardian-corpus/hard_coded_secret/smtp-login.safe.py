# expect: safe hard_coded_secret CWE-798
import os
import smtplib


def send_report(body):
    with smtplib.SMTP_SSL("smtp.example.com", 465) as smtp:
        smtp.login("reports@example.com", os.environ["SMTP_PASSWORD"])
        smtp.sendmail("reports@example.com", ["ops@example.com"], body)
