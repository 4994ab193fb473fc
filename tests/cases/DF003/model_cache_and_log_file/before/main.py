import logging

from fastapi import FastAPI
from transformers import pipeline

logging.basicConfig(filename="server.log", level=logging.INFO)
classifier = pipeline("sentiment-analysis")

app = FastAPI()


@app.get("/")
def root(text: str = "hello") -> dict[str, object]:
    return {"label": classifier(text)[0]["label"]}
