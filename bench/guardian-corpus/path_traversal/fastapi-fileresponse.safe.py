# expect: safe path_traversal CWE-22
from pathlib import Path
from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

app = FastAPI()
MEDIA = Path("/srv/media").resolve()


@app.get("/media/{name:path}")
def media(name: str):
    target = (MEDIA / name).resolve()
    if not target.is_relative_to(MEDIA):
        raise HTTPException(status_code=404)
    return FileResponse(target)
