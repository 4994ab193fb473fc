import os

from fastapi import FastAPI
from transformers import AutoModel

model = AutoModel.from_pretrained(os.environ["MODEL_ID"])
app = FastAPI()
