from pathlib import Path

import joblib
from fastapi import FastAPI

HERE = Path(__file__).parent
model = joblib.load(HERE / "model.pkl")
app = FastAPI()
