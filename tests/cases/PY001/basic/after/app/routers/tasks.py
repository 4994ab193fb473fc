from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from app import crud
from app.database import get_session
from app.deps import get_current_user
from app.models import TaskCreate, User

router = APIRouter(prefix="/tasks")
SessionDep = Annotated[Session, Depends(get_session)]


@router.get("")
def list_tasks(
    session: SessionDep,
    q: Optional[str] = Query(None, max_length=50),  # free text, e.g. "milk, eggs"
    offset: int = 0,
    *,
    current_user: Annotated[User, Depends(get_current_user)],
    limit: int = Query(default=100, le=100),
):
    return crud.list_tasks(session, current_user.id, q=q, offset=offset, limit=limit)


@router.post("", status_code=201)
async def create_task(
    session: Session = Depends(get_session),
    current_user: User = Depends(get_current_user),
    # JSON body, see TaskCreate
    *,
    task_in: TaskCreate,
):
    return crud.create_task_for_user(session, current_user.id, data=task_in)
