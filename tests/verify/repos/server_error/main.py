import os

from fastapi import FastAPI

API_KEY = os.environ["API_KEY"]  # required: verify passes a labelled placeholder
app = FastAPI()
TASKS = []


@app.get("/")
def index():
    return {"tasks": len(TASKS)}


@app.get("/tasks")
def list_tasks():
    return TASKS


@app.get("/tasks/stats")
def task_stats():
    done = sum(1 for task in TASKS if task["done"])
    return {"done_ratio": done / len(TASKS)}  # ZeroDivisionError while there are no tasks
