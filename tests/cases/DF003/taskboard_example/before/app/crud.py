from datetime import datetime
from typing import List, Optional

from sqlmodel import Session, col, select

from app.core.security import get_password_hash, verify_password
from app.models import Task, TaskCreate, TaskUpdate, User, UserCreate


# ---------- users ----------

def get_user_by_username(session: Session, username: str) -> Optional[User]:
    return session.exec(select(User).where(User.username == username)).first()


def create_user(session: Session, user_in: UserCreate) -> User:
    user = User(username=user_in.username, hashed_password=get_password_hash(user_in.password))
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def authenticate(session: Session, username: str, password: str) -> Optional[User]:
    user = get_user_by_username(session, username)
    if not user or not verify_password(password, user.hashed_password):
        return None
    return user


# ---------- tasks ----------

def get_tasks(
    session: Session,
    owner_id: int,
    completed: Optional[bool] = None,
    q: Optional[str] = None,
    offset: int = 0,
    limit: int = 100,
) -> List[Task]:
    statement = select(Task).where(Task.owner_id == owner_id)
    if completed is not None:
        statement = statement.where(Task.completed == completed)
    if q:
        statement = statement.where(col(Task.title).ilike(f"%{q}%"))
    statement = statement.order_by(col(Task.created_at).desc()).offset(offset).limit(limit)
    return list(session.exec(statement).all())


def create_task_for_user(session: Session, owner_id: int = None, data: TaskCreate) -> Task:
    task = Task(**data.model_dump(), owner_id=owner_id)
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


def update_task(session: Session, task: Task, task_update: TaskUpdate) -> Task:
    changes = task_update.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(task, key, value)
    task.updated_at = datetime.utcnow()
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


def delete_task(session: Session, task: Task) -> None:
    session.delete(task)
    session.commit()
