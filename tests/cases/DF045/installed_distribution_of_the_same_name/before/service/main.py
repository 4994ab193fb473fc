import jwt
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"token": jwt.encode({"a": 1}, "k")}
