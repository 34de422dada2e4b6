# expect: vulnerable hard_coded_secret CWE-798
import datetime

import jwt

SIGNING_KEY = "orders-service"


def issue_token(user_id):
    claims = {"sub": str(user_id), "exp": datetime.datetime.utcnow() + datetime.timedelta(hours=1)}
    return jwt.encode(claims, SIGNING_KEY, algorithm="HS256")
