from fastapi import FastAPI
from huggingface_hub import snapshot_download
from sentence_transformers import SentenceTransformer

encoder = SentenceTransformer("my-org/tiny-encoder", cache_folder="/tmp/encoders")
snapshot_download("my-org/tiny-vocab", local_dir="/tmp/vocab")
app = FastAPI()


@app.get("/embed")
def embed(text: str) -> list[float]:
    return encoder.encode(text).tolist()
