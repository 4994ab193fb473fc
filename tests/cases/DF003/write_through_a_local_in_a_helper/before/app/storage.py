import os

from huggingface_hub import snapshot_download


def fetch_weights(force: bool = False) -> str:
    weights_dir = "weights/"
    if os.path.exists(weights_dir) and not force:
        return weights_dir
    os.makedirs(weights_dir, exist_ok=True)
    snapshot_download(repo_id="example-org/tiny-model", local_dir=weights_dir)
    return weights_dir
