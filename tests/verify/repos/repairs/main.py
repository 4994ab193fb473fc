import os

import yaml
from fastapi import FastAPI

os.makedirs("/app/data", exist_ok=True)
with open("/app/data/settings.yaml", "w") as handle:
    yaml.safe_dump({"started": True}, handle)

app = FastAPI()


@app.get("/")
def root():
    with open("/app/data/settings.yaml") as handle:
        return yaml.safe_load(handle)
