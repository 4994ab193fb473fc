from fastapi import APIRouter

router = APIRouter()


@router.get("/items")
def items() -> list[int]:
    return [1, 2]
