import os

from fastapi import FastAPI, Response
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key=os.environ["SESSION_SECRET"], same_site="none", https_only=True)


@app.post("/login")
def login(response: Response):
    response.set_cookie("token", "value", samesite="None", secure=True, httponly=True)
    return {"ok": True}
