from functools import lru_cache

from fastapi import FastAPI
from transformers import AutoModel, pipeline

classifier = pipeline("text-classification", model="my-org/sentiment-small")
app = FastAPI()


@lru_cache
def summarizer():
    return AutoModel.from_pretrained("my-org/summarizer")


@app.post("/summarize")
def summarize(text: str):
    return {"model": str(summarizer())}
