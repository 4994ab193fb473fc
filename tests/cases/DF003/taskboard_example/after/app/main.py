from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.core.config import settings
from app.database import create_db_and_tables
from app.routers import auth, tasks


@asynccontextmanager
async def lifespan(app: FastAPI):
    # alembic is the source of truth for the schema, but creating missing
    # tables here means a fresh database works out of the box
    create_db_and_tables()
    yield


app = FastAPI(
    title=settings.PROJECT_NAME,
    version=settings.API_VERSION,
    description="Backend for the team task board.",
    lifespan=lifespan,
)

app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.BACKEND_CORS_ORIGINS,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

app.include_router(auth.router)
app.include_router(auth.users_router)
app.include_router(tasks.router)


@app.get("/")
def root():
    return {"message": f"Welcome to {settings.PROJECT_NAME}", "docs": "/docs"}


@app.get("/health")
def health():
    return {"status": "ok"}
