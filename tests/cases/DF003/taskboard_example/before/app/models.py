from datetime import datetime
from typing import List, Optional

from sqlmodel import Field, Relationship, SQLModel


# ---------- users ----------

class UserBase(SQLModel):
    username: str = Field(index=True, unique=True, min_length=3, max_length=50)


class User(UserBase, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    hashed_password: str
    is_active: bool = True
    created_at: datetime = Field(default_factory=datetime.utcnow)

    tasks: List["Task"] = Relationship(back_populates="owner")


class UserCreate(UserBase):
    password: str = Field(min_length=6)


class UserRead(UserBase):
    id: int
    is_active: bool
    created_at: datetime


# ---------- tasks ----------

class TaskBase(SQLModel):
    title: str = Field(max_length=200)
    description: Optional[str] = None
    completed: bool = False


class Task(TaskBase, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=datetime.utcnow)
    updated_at: Optional[datetime] = None

    owner: Optional[User] = Relationship(back_populates="tasks")


class TaskCreate(TaskBase):
    pass


class TaskRead(TaskBase):
    id: int
    owner_id: int
    created_at: datetime
    updated_at: Optional[datetime] = None


class TaskUpdate(SQLModel):
    # everything optional so the client can send just what changed
    title: Optional[str] = None
    description: Optional[str] = None
    completed: Optional[bool] = None


# ---------- auth ----------

class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"


class TokenPayload(SQLModel):
    sub: Optional[str] = None
