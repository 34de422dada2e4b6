# expect: safe hard_coded_secret CWE-798
import boto3

s3 = boto3.client("s3")


def upload(path, key):
    s3.upload_file(path, "acme-backups", key)
