import os
from contextlib import asynccontextmanager

import openai
from fastapi import FastAPI
from groq import AsyncGroq

from services.translate import translator

summariser = openai.OpenAI(base_url="https://llm.example.com/v1")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.groq = AsyncGroq(timeout=20)
    yield


app = FastAPI(lifespan=lifespan)


@app.on_event("startup")
def connect_llm():
    key, model = os.getenv("LLM_KEY", ""), os.getenv("LLM_MODEL", "small")
    app.state.llm = openai.AsyncOpenAI(api_key=key, base_url="https://llm.example.com/v1")
    app.state.model = model


@app.get("/")
def index():
    return {"translator": type(translator).__name__, "summariser": type(summariser).__name__}
