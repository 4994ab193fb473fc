import os

from fastapi import FastAPI

# Which profile is a choice only the Space's owner makes: no placeholder can guess it.
PROFILES = {"small": {"workers": 1}, "large": {"workers": 4}}
PROFILE = PROFILES[os.environ["PROFILE"]]

os.makedirs("/app/data", exist_ok=True)  # root owns /app: uid 1000 cannot create it

app = FastAPI()


@app.get("/")
def root():
    return PROFILE
