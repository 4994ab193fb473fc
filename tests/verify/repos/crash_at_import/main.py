import jwt  # PyJWT is not in the image: the app crashes when uvicorn imports it
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    return {"token": jwt.encode({}, "k")}
