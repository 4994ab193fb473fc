import os


def env(name: str, default: str | None = None) -> str | None:
    """Read a variable, with an optional fallback."""
    return os.getenv(name, default)


def require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"set {name}")
    return value
