from fastapi import FastAPI
from huggingface_hub import InferenceClient
from starlette.middleware.sessions import SessionMiddleware

client = InferenceClient(token="hf_Kq2wErTy8uIoP1aSdFg2hJkL3zXcVb4nMm")
HEADERS = {"Authorization": "Bearer ghp_R4nd0mL00k1ngT0k3nV4lu3xYz12345678"}
SESSION_SECRET = "Zq9xW7pLm3Rt8vKsQ2nB"

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key="c3b2a1908f7e6d5c4e1f0c9b7a2d8e6f")
