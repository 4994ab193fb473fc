from contextlib import asynccontextmanager

from fastapi import FastAPI
from sentence_transformers import SentenceTransformer

MODEL = "my-org/tiny-encoder"


@asynccontextmanager
async def lifespan(app):
    app.state.encoder = SentenceTransformer(MODEL, cache_folder="/tmp/encoders")
    yield


app = FastAPI(lifespan=lifespan)
