from database import Base

from models.note import Note

__all__ = ["Base", "Note"]
