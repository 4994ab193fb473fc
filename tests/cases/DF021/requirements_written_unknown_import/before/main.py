import qdrant_client
from fastapi import FastAPI

app = FastAPI()
client = qdrant_client.QdrantClient(":memory:")
