import yaml
from fastapi import FastAPI
from jose import jwt

from app.settings import SECRET

app = FastAPI()


@app.get("/token")
def token() -> dict[str, str]:
    return {"token": jwt.encode({"sub": "demo"}, SECRET), "format": yaml.safe_dump({"a": 1})}
