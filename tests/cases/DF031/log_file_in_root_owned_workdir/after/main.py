import logging

from fastapi import FastAPI

logging.getLogger().addHandler(logging.FileHandler("audit.log"))
app = FastAPI()
