from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

app = FastAPI()


@app.get("/")
def index(request: Request):
    return RedirectResponse(request.url_for("home"))


@app.get("/home")
def home():
    return {"ok": True}
