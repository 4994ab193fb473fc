import os

from fastapi import APIRouter
from pydantic import BaseModel
from typing import List
from fastapi import Query

router = APIRouter(prefix="/notes")
PAGE_SIZE = int(os.getenv("PAGE_SIZE", "20"))


class Note(BaseModel):
    title: str
    tags: List[str] = []


@router.get("/")
def list_notes(limit: int = Query(PAGE_SIZE)) -> list[Note]:
    return []


if os.getenv("ENABLE_ADMIN"):
    router.include_router(admin_router)
