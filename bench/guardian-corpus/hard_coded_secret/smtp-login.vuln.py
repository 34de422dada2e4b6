# expect: vulnerable hard_coded_secret CWE-798
import smtplib


def send_report(body):
    with smtplib.SMTP_SSL("smtp.example.com", 465) as smtp:
        smtp.login("reports@example.com", "Sup3r-S3cret-Mail-Pass!")
        smtp.sendmail("reports@example.com", ["ops@example.com"], body)
