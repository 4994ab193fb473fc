import os
from pathlib import Path

import nltk
from fastapi import FastAPI
from sentence_transformers import SentenceTransformer

BASE = Path(__file__).resolve().parent
(BASE / "outputs").mkdir(exist_ok=True)
os.makedirs("/tmp/uploads", exist_ok=True)
app = FastAPI()


@app.on_event("startup")
def load():
    nltk.download("punkt")
    app.state.model = SentenceTransformer(os.environ.get("EMBEDDER", "all-MiniLM-L6-v2"))
