from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
def list_items(limit: int = 10)
    return {"limit": limit}
