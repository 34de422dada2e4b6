# expect: vulnerable hard_coded_secret CWE-798
import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIA2JFKQ7XMRT5WZP4N",
    aws_secret_access_key="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",
)


def upload(path, key):
    s3.upload_file(path, "acme-backups", key)
