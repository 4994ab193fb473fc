from fastapi import FastAPI
from routes import router  # a sibling, importable only with service/ on PYTHONPATH

app = FastAPI()
app.include_router(router)
