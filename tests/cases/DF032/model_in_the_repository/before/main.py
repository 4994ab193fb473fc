from fastapi import FastAPI
from transformers import AutoModel

from pipelines import pipeline

model = AutoModel.from_pretrained("models/classifier")
steps = pipeline("clean")
app = FastAPI()
