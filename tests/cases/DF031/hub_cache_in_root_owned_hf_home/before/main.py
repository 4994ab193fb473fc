from contextlib import asynccontextmanager

from fastapi import FastAPI
from transformers import AutoTokenizer

MODEL = "my-org/tiny-model"


@asynccontextmanager
async def lifespan(app):
    app.state.tokenizer = AutoTokenizer.from_pretrained(MODEL)
    yield


app = FastAPI(lifespan=lifespan)
