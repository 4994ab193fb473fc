from fastapi import APIRouter

from ..store import ITEMS

router = APIRouter()


@router.get("/items")
def list_items() -> list[str]:
    return ITEMS
