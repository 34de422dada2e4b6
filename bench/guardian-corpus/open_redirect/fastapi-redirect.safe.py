# expect: safe open_redirect CWE-601
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

app = FastAPI()
SHORTLINKS = {"docs": "/documentation", "status": "/status"}


@app.get("/go")
def go(name: str):
    return RedirectResponse(SHORTLINKS.get(name, "/"))
