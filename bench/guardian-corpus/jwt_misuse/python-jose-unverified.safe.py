# expect: safe jwt_misuse CWE-347
import os
from fastapi import Depends, FastAPI, Header
from jose import jwt

app = FastAPI()


def get_user(authorization: str = Header(...)):
    return jwt.decode(authorization.split()[1], os.environ["JWT_SECRET"], algorithms=["HS256"])


@app.get("/me")
def me(user=Depends(get_user)):
    return user
