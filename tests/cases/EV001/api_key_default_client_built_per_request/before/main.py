from fastapi import FastAPI, HTTPException
from openai import AsyncOpenAI

from config import settings

app = FastAPI()


@app.get("/")
async def index():
    if not settings.LLM_API_KEY:
        raise HTTPException(503, "no key configured")
    client = AsyncOpenAI(api_key=settings.LLM_API_KEY)
    return {"client": type(client).__name__}
