import os

from fastapi import FastAPI

# documentation strings and placeholders are no secrets
EXAMPLE = "export HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
SECRET_KEY = "changeme"
MODEL_REVISION = "8d7c6e5f4a3b2c9f2c1e7a0b8d7c6e5f4a3b2c9f"
API_KEY = os.environ["API_KEY"]

app = FastAPI()
EXAMPLE_RESPONSE = {"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."}
PLACEHOLDER_KEY = "sk-or-v1-your-api-key-here"


def remember(cache: dict[str, str]) -> None:
    cache.update(key="conversation-user-456-conv-123")
    cache.update(key="8d7c6e5f4a3b2c9f2c1e7a0b8d7c6e5f")  # a content hash, not a credential
