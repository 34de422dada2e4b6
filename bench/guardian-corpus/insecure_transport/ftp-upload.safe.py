# expect: safe insecure_transport CWE-319
from ftplib import FTP_TLS


def upload_report(path):
    with FTP_TLS("ftp.example.com") as ftp:
        ftp.login("reports", "reports")
        ftp.prot_p()
        with open(path, "rb") as fh:
            ftp.storbinary("STOR report.csv", fh)
