"""The Hub side of a deployment: pushing a repository to a Docker Space (`push`) and explaining
what the Space says afterwards (`logs`). Only `client.py` imports `huggingface_hub`."""
