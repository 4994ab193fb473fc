import logging
from typing import List, Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from sqlmodel import Session

from app import crud
from app.database import get_session
from app.deps import get_current_user
from app.models import Task, TaskCreate, TaskRead, TaskUpdate, User

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/tasks", tags=["tasks"])


def get_own_task(session: Session, task_id: int, user: User) -> Task:
    task = session.get(Task, task_id)
    # 404 rather than 403 so we don't leak which ids exist
    if task is None or task.owner_id != user.id:
        raise HTTPException(status_code=404, detail="Task not found")
    return task


@router.get("", response_model=List[TaskRead])
def list_tasks(
    completed: Optional[bool] = None,
    q: Optional[str] = Query(None, max_length=50),
    offset: int = 0,
    limit: int = Query(default=100, le=100),
    session: Session = Depends(get_session),
    current_user: User = Depends(get_current_user),
):
    return crud.get_tasks(session, current_user.id, completed=completed, q=q, offset=offset, limit=limit)


@router.post("", response_model=TaskRead, status_code=status.HTTP_201_CREATED)
async def create_task(
    session: Session = Depends(get_session),
    current_user: User = Depends(get_current_user),
    # JSON body, see TaskCreate
    task_in: TaskCreate,
    source: Optional[str] = Query(None, max_length=50),  # "web", "cli", ... only used for logging
):
    task = crud.create_task_for_user(session, current_user.id, task_in)
    logger.info("user %s created task %s (source=%s)", current_user.id, task.id, source)
    return task


@router.get("/{task_id}", response_model=TaskRead)
def read_task(task_id: int, session: Session = Depends(get_session), current_user: User = Depends(get_current_user)):
    return get_own_task(session, task_id, current_user)


@router.put("/{task_id}", response_model=TaskRead)
def update_task(task_id: int, session: Session = Depends(get_session), task_update: TaskUpdate, current_user: User = Depends(get_current_user)):
    task = get_own_task(session, task_id, current_user)
    return crud.update_task(session, task, task_update)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(task_id: int, session: Session = Depends(get_session), current_user: User = Depends(get_current_user)):
    task = get_own_task(session, task_id, current_user)
    crud.delete_task(session, task)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
