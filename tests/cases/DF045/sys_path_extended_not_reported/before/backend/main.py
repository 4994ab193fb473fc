import os
import sys

from fastapi import FastAPI

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from settings import TITLE  # noqa: E402

app = FastAPI(title=TITLE)
