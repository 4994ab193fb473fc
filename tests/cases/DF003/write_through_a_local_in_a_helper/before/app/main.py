from fastapi import FastAPI

from .storage import fetch_weights


class Store:
    def __init__(self) -> None:
        self.root = fetch_weights()


store = Store()
app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"cache": store.root}
