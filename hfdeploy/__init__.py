"""hfdeploy: make a FastAPI backend deploy and run as a Hugging Face Docker Space."""

__version__ = "0.1.0"
