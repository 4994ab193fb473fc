from fastapi import FastAPI
from transformers import pipeline

classifier = pipeline("text-classification", model="my-org/sentiment-small")
app = FastAPI()


@app.post("/classify")
def classify(text: str):
    return classifier(text)
