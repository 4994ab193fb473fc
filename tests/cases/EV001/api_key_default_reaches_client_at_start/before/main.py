from fastapi import FastAPI
from openai import AsyncOpenAI

from config import settings

client = AsyncOpenAI(api_key=settings.LLM_API_KEY, base_url="https://llm.example.com/v1")
app = FastAPI()


@app.get("/")
async def index():
    return {"client": type(client).__name__}
