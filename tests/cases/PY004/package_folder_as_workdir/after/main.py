from fastapi import FastAPI

from .routers import items

app = FastAPI(title="shelf")
app.include_router(items.router)
