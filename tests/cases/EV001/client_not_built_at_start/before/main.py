import os

from anthropic import Anthropic
from fastapi import FastAPI
from groq import Groq
from openai import AsyncOpenAI, OpenAI

from llm_stub import OpenAI as StubClient

app = FastAPI()

# Built only when the key is there, or with a failure the app copes with.
chat = OpenAI() if os.getenv("OPENAI_API_KEY") else None
try:
    fast = Groq()
except Exception:
    fast = None

# Anthropic() builds without a key: only a request fails.
claude = Anthropic()
stub = StubClient()
options = {"api_key": os.getenv("LLM_KEY", "none"), "base_url": "http://127.0.0.1:8080/v1"}
local = OpenAI(**options)


@app.get("/ask")
async def ask(question: str):
    client = AsyncOpenAI()  # per request: the request fails, not the start
    return {"question": question, "client": type(client).__name__}
