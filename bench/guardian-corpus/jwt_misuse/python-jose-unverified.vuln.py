# expect: vulnerable jwt_misuse CWE-347
from fastapi import Depends, FastAPI, Header
from jose import jwt

app = FastAPI()


def get_user(authorization: str = Header(...)):
    return jwt.get_unverified_claims(authorization.split()[1])


@app.get("/me")
def me(user=Depends(get_user)):
    return user
