from fastapi import FastAPI

try:  # run as a package
    from .routers import items
except ImportError:  # run from inside the folder
    from routers import items

app = FastAPI(title="shelf")
app.include_router(items.router)
