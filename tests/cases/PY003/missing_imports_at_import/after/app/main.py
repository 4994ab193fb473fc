from fastapi import FastAPI

from app.routers import notes

app = FastAPI(title="Notes")
app.include_router(notes.router)
