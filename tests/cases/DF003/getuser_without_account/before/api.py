import getpass

from fastapi import FastAPI

app = FastAPI()


@app.get("/whoami")
def whoami() -> dict[str, str]:
    return {"user": getpass.getuser()}
