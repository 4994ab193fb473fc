import os

from fastapi import FastAPI, Response
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key=os.environ["SESSION_SECRET"], same_site="lax")


@app.post("/login")
def login(response: Response):
    response.set_cookie(
        "token",
        "value",
        httponly=True,
    )
    return {"ok": True}
