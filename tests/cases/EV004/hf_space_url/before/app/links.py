import os

BASE_URL = os.environ["HF_SPACE_URL"]
CALLBACK = os.getenv("HF_SPACE_URL", "http://localhost:8000") + "/callback"
ALREADY = os.getenv("HF_SPACE_URL", "https://" + os.environ.get("SPACE_HOST", "localhost"))
