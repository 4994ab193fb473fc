from fastapi import FastAPI

try:
    from routes import router
except ImportError:
    from service.routes import router

app = FastAPI()
app.include_router(router)
