from fastapi import FastAPI
from sentence_transformers import SentenceTransformer

app = FastAPI()
models = {}


@app.on_event("startup")
def load():
    models["embed"] = SentenceTransformer("all-MiniLM-L6-v2")
