# expect: vulnerable xxe CWE-611
from fastapi import FastAPI, Request
from lxml import etree

app = FastAPI()


@app.post("/invoice")
async def invoice(request: Request):
    parser = etree.XMLParser(no_network=False, resolve_entities=True, load_dtd=True)
    root = etree.fromstring(await request.body(), parser=parser)
    return {"total": root.findtext("total")}
