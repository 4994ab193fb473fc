import os

BASE_URL = os.environ.get("HF_SPACE_URL", ("https://" + os.environ["SPACE_HOST"]) if "SPACE_HOST" in os.environ else "http://localhost:7860")
CALLBACK = os.getenv("HF_SPACE_URL", ("https://" + os.environ["SPACE_HOST"]) if "SPACE_HOST" in os.environ else "http://localhost:8000") + "/callback"
ALREADY = os.getenv("HF_SPACE_URL", "https://" + os.environ.get("SPACE_HOST", "localhost"))
