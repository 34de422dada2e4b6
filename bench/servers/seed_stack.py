# Benchmark instrument, not product code: the seed-000 proposal routes as the seeds' own stack writes them
# (FastAPI + async SQLAlchemy + asyncpg, pydantic models, one uvicorn worker), for bench/seeds-stack.ts.
# Same table shape as lvlup's proposals (the columns the seed's routes use); DATABASE_URL names a database
# of its own on the same PostgreSQL server.
import difflib
import os
import uuid
from datetime import datetime, timezone
from typing import List, Optional

from fastapi import FastAPI, HTTPException, Query, Response
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Float, Integer, String, Text, func, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=int(os.environ.get("POOL_SIZE", "32")))
Session = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
Base = declarative_base()
AI_TYPES = {"imperium", "guardian", "sandbox", "conquest"}


class Proposal(Base):
    __tablename__ = "proposals"
    id = Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    ai_type = Column(String, nullable=False, index=True)
    status = Column(String, nullable=False, default="pending", index=True)
    file_path = Column(Text, nullable=False)
    code_before = Column(Text, nullable=False)
    code_after = Column(Text, nullable=False)
    diff = Column(Text, nullable=False)
    description = Column(Text)
    confidence = Column(Float)
    additions = Column(Integer, nullable=False)
    deletions = Column(Integer, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=lambda: datetime.now(timezone.utc), index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=lambda: datetime.now(timezone.utc))


class ProposalIn(BaseModel):
    ai_type: str
    file_path: str
    code_before: str
    code_after: str
    description: Optional[str] = None
    confidence: Optional[float] = None


class ProposalOut(BaseModel):
    id: uuid.UUID
    ai_type: str
    status: str
    file_path: str
    code_before: str
    code_after: str
    diff: str
    description: Optional[str]
    confidence: Optional[float]
    additions: int
    deletions: int
    created_at: datetime
    updated_at: datetime

    class Config:
        orm_mode = True


class ProposalSummary(BaseModel):
    id: uuid.UUID
    ai_type: str
    status: str
    file_path: str
    description: Optional[str]
    confidence: Optional[float]
    additions: int
    deletions: int
    created_at: datetime
    updated_at: datetime

    class Config:
        orm_mode = True


app = FastAPI()


@app.on_event("startup")
async def create_schema():
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)


@app.get("/health")
async def health():
    return {"status": "ok", "timestamp": datetime.now(timezone.utc).isoformat(), "version": "0.1.0"}


@app.post("/proposals/", status_code=201, response_model=ProposalOut)
async def create_proposal(body: ProposalIn):
    if body.ai_type not in AI_TYPES:
        raise HTTPException(422, f"Unknown ai_type {body.ai_type}")
    if body.code_before == body.code_after:
        raise HTTPException(422, "code_after equals code_before")
    lines = list(
        difflib.unified_diff(
            body.code_before.splitlines(keepends=True),
            body.code_after.splitlines(keepends=True),
            f"a/{body.file_path}",
            f"b/{body.file_path}",
        )
    )
    additions = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    deletions = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    proposal = Proposal(**body.dict(), diff="".join(lines), additions=additions, deletions=deletions, status="pending")
    async with Session() as session:
        session.add(proposal)
        await session.commit()
    return proposal


@app.get("/proposals/", response_model=List[ProposalSummary])
async def list_proposals(
    response: Response,
    ai_type: Optional[str] = None,
    status: Optional[str] = None,
    limit: int = Query(50, ge=1, le=500),
    skip: int = Query(0, ge=0),
):
    query = select(Proposal)
    counted = select(func.count()).select_from(Proposal)
    if ai_type:
        query = query.where(Proposal.ai_type == ai_type)
        counted = counted.where(Proposal.ai_type == ai_type)
    if status:
        query = query.where(Proposal.status == status)
        counted = counted.where(Proposal.status == status)
    async with Session() as session:
        rows = (await session.execute(query.order_by(Proposal.created_at.desc()).offset(skip).limit(limit))).scalars().all()
        response.headers["X-Total-Count"] = str((await session.execute(counted)).scalar_one())
    return rows
