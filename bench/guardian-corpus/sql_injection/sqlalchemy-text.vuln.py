# expect: vulnerable sql_injection CWE-89
from flask import Blueprint, request
from sqlalchemy import text
from .db import engine

bp = Blueprint("audit", __name__)


@bp.get("/audit")
def audit_log():
    actor = request.args.get("actor")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit WHERE actor = '" + actor + "' ORDER BY ts DESC"))
        return {"rows": [dict(r._mapping) for r in rows]}
