# expect: vulnerable path_traversal CWE-22
from pathlib import Path
from fastapi import FastAPI
from fastapi.responses import FileResponse

app = FastAPI()
MEDIA = Path("/srv/media")


@app.get("/media/{name:path}")
def media(name: str):
    return FileResponse(MEDIA / name)
