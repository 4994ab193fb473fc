import os

from fastapi import FastAPI

os.makedirs("reports", exist_ok=True)
app = FastAPI()


@app.post("/report")
def report(text: str) -> dict[str, str]:
    with open(os.path.join("reports", "latest.txt"), "w") as out:
        out.write(text)
    return {"saved": "reports/latest.txt"}
