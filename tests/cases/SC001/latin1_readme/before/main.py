from fastapi import FastAPI

app = FastAPI(title="Taskboard")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
