# expect: safe insecure_cookie CWE-614
from fastapi import FastAPI, Response

app = FastAPI()


@app.post("/session")
def create_session(response: Response):
    response.set_cookie(key="token", value="opaque", httponly=True, secure=True, samesite="lax")
    return {"ok": True}
