from fastapi import FastAPI

app = FastAPI(title="echo")


@app.get("/echo/{word}")
def echo(word: str) -> dict[str, str]:
    return {"word": word}
