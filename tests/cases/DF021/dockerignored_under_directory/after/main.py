import json

from fastapi import FastAPI

app = FastAPI()
LABELS = json.load(open("data/labels.json"))
