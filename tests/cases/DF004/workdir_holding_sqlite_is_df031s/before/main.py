from fastapi import FastAPI
from sqlalchemy import create_engine

engine = create_engine("sqlite:///./notes.db")
app = FastAPI()
