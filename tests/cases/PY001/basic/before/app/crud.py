from typing import Optional

from sqlmodel import Session

from app.models import Task, TaskCreate


def create_task_for_user(session: Session, owner_id: Optional[int] = None, data: TaskCreate) -> Task:
    task = Task(**data.model_dump(), owner_id=owner_id)
    session.add(task)
    session.commit()
    return task
