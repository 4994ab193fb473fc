from sqlmodel import SQLModel
