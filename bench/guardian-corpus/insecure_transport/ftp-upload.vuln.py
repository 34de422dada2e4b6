# expect: vulnerable insecure_transport CWE-319
from ftplib import FTP


def upload_report(path):
    with FTP("ftp.example.com") as ftp:
        ftp.login("reports", "reports")
        with open(path, "rb") as fh:
            ftp.storbinary("STOR report.csv", fh)
