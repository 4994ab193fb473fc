"""Which distributions the image installs, and which distribution an import name comes from.

Without a lock the transitive dependencies of the declared packages are unknown; the table
below holds the well-known ones, and `COMMONLY_TRANSITIVE` lists modules that some declared
package we know nothing about may well pull in (never reported then: a miss beats a false alarm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    pass

# Import name -> distributions that provide it, the one to add first.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "jose": ("python-jose",),
    "jwt": ("PyJWT",),
    "yaml": ("PyYAML",),
    "dotenv": ("python-dotenv",),
    "multipart": ("python-multipart",),
    "python_multipart": ("python-multipart",),
    "PIL": ("Pillow",),
    "cv2": (
        "opencv-python-headless",
        "opencv-python",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
    ),
    "sklearn": ("scikit-learn",),
    "bs4": ("beautifulsoup4",),
    "psycopg2": ("psycopg2-binary", "psycopg2"),
    "psycopg": ("psycopg", "psycopg-binary"),
    "MySQLdb": ("mysqlclient",),
    "dateutil": ("python-dateutil",),
    "magic": ("python-magic",),
    "email_validator": ("email-validator",),
    "jinja2": ("Jinja2",),
    "attr": ("attrs",),
    "OpenSSL": ("pyOpenSSL",),
    "Crypto": ("pycryptodome", "pycryptodomex"),
    "docx": ("python-docx",),
    "argon2": ("argon2-cffi",),
    "fastapi_cache": ("fastapi-cache2",),
    "fitz": ("PyMuPDF",),
    "skimage": ("scikit-image",),
    "serial": ("pyserial",),
    "pptx": ("python-pptx",),
    "Levenshtein": ("python-Levenshtein", "Levenshtein"),
    "pkg_resources": ("setuptools",),
    "setuptools": ("setuptools",),
    "socketio": ("python-socketio",),
    "telegram": ("python-telegram-bot",),
    "discord": ("discord.py",),
    "slugify": ("python-slugify",),
    "pymysql": ("PyMySQL",),
    "redis": ("redis",),
    "requests": ("requests",),
    "httpx": ("httpx",),
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "passlib": ("passlib",),
    "bcrypt": ("bcrypt",),
    "sqlalchemy": ("SQLAlchemy",),
    "sqlmodel": ("sqlmodel",),
    "pydantic_settings": ("pydantic-settings",),
    "aiofiles": ("aiofiles",),
    "asyncpg": ("asyncpg",),
    "aiosqlite": ("aiosqlite",),
    "openai": ("openai",),
    "huggingface_hub": ("huggingface_hub",),
    "itsdangerous": ("itsdangerous",),
    "ujson": ("ujson",),
    "orjson": ("orjson",),
    "boto3": ("boto3",),
    "pymongo": ("pymongo",),
    "motor": ("motor",),
}
# Distribution (or `name[extra]`) -> distributions it installs (canonical names).
REQUIRES: dict[str, tuple[str, ...]] = {
    "fastapi": (
        "starlette",
        "pydantic",
        "pydantic-core",
        "anyio",
        "typing-extensions",
        "annotated-types",
        "sniffio",
        "idna",
    ),
    "fastapi[standard]": (
        "python-multipart",
        "jinja2",
        "email-validator",
        "httpx",
        "uvicorn[standard]",
        "fastapi-cli",
    ),
    "fastapi[all]": (
        "python-multipart",
        "jinja2",
        "email-validator",
        "itsdangerous",
        "httpx",
        "pyyaml",
        "ujson",
        "orjson",
        "uvicorn[standard]",
        "pydantic-settings",
        "pydantic-extra-types",
    ),
    "starlette": ("anyio", "typing-extensions"),
    "starlette[full]": ("jinja2", "itsdangerous", "python-multipart", "httpx", "pyyaml"),
    "pydantic": ("pydantic-core", "typing-extensions", "annotated-types"),
    "pydantic[email]": ("email-validator",),
    "email-validator": ("dnspython", "idna"),
    "uvicorn": ("click", "h11", "typing-extensions"),
    "uvicorn[standard]": (
        "httptools",
        "uvloop",
        "watchfiles",
        "websockets",
        "python-dotenv",
        "pyyaml",
    ),
    "sqlmodel": ("sqlalchemy", "pydantic"),
    "sqlalchemy": ("greenlet", "typing-extensions"),
    "python-jose": ("ecdsa", "rsa", "pyasn1"),
    "python-jose[cryptography]": ("cryptography",),
    "cryptography": ("cffi",),
    "passlib[bcrypt]": ("bcrypt",),
    "alembic": ("mako", "sqlalchemy", "typing-extensions"),
    "mako": ("markupsafe",),
    "jinja2": ("markupsafe",),
    "pydantic-settings": ("python-dotenv", "pydantic"),
    "httpx": ("httpcore", "anyio", "certifi", "idna", "sniffio"),
    "httpcore": ("h11", "certifi"),
    "anyio": ("idna", "sniffio"),
    "requests": ("urllib3", "idna", "certifi", "charset-normalizer"),
    "transformers": (
        "numpy",
        "huggingface-hub",
        "tokenizers",
        "safetensors",
        "pyyaml",
        "regex",
        "tqdm",
        "filelock",
        "requests",
        "packaging",
    ),
    "huggingface-hub": (
        "filelock",
        "fsspec",
        "packaging",
        "pyyaml",
        "requests",
        "tqdm",
        "typing-extensions",
    ),
    "gradio": (
        "fastapi",
        "uvicorn",
        "pydantic",
        "httpx",
        "numpy",
        "pandas",
        "pillow",
        "jinja2",
        "python-multipart",
        "orjson",
        "pyyaml",
        "huggingface-hub",
        "gradio-client",
        "aiofiles",
    ),
}
# Modules that an undeclared transitive dependency of some unknown package may well provide.
COMMONLY_TRANSITIVE = frozenset(
    {
        "numpy",
        "requests",
        "urllib3",
        "certifi",
        "idna",
        "charset_normalizer",
        "typing_extensions",
        "packaging",
        "six",
        "yaml",
        "tqdm",
        "filelock",
        "attr",
        "attrs",
        "dateutil",
        "pytz",
        "click",
        "jinja2",
        "markupsafe",
        "pydantic",
        "pydantic_core",
        "anyio",
        "sniffio",
        "h11",
        "httpx",
        "httpcore",
        "torch",
        "huggingface_hub",
        "tokenizers",
        "safetensors",
        "regex",
        "scipy",
        "pandas",
        "PIL",
        "importlib_metadata",
        "zipp",
        "wrapt",
        "aiohttp",
        "multidict",
        "yarl",
        "sqlalchemy",
        "greenlet",
        "cffi",
        "cryptography",
        "jsonschema",
        "tenacity",
        "orjson",
        "websockets",
        "fsspec",
        "pyarrow",
        "tzdata",
        "platformdirs",
        "colorama",
        "rich",
        "pygments",
        "starlette",
        "fastapi",
        "uvicorn",
        "openai",
        "tiktoken",
        "sympy",
        "networkx",
        "dotenv",
        "protobuf",
        "grpc",
        "rsa",
        "pyasn1",
        "google",
        "boto3",
        "botocore",
        "s3transfer",
        "jmespath",
        "decorator",
        "psutil",
        "setuptools",
        "pkg_resources",
        "simplejson",
        "ujson",
    }
)
# Distributions with no runtime dependencies of their own: declaring them leaves the set known.
LEAVES = frozenset(
    {
        "python-dotenv",
        "passlib",
        "bcrypt",
        "python-multipart",
        "psycopg2",
        "psycopg2-binary",
        "pyyaml",
        "orjson",
        "ujson",
        "itsdangerous",
        "markupsafe",
        "typing-extensions",
        "idna",
        "certifi",
        "sniffio",
        "h11",
        "click",
        "pyasn1",
        "six",
        "pytz",
        "aiofiles",
        "aiosqlite",
        "asyncpg",
        "python-jose[cryptography]",
    }
)


def closure(names: frozenset[str]) -> frozenset[str]:
    """`names` with the distributions they are known to install (the table above)."""
    out = set(names)
    pending = list(out)
    while pending:
        for dist in REQUIRES.get(pending.pop(), ()):
            if dist not in out:
                out.add(dist)
                pending.append(dist)
    return frozenset(out)


def candidates(module: str) -> tuple[str, ...]:
    """Canonical distribution names that may provide the top-level import `module`."""
    names = [canonicalize_name(d) for d in DISTRIBUTIONS.get(module, ())]
    names += [canonicalize_name(module), canonicalize_name(f"python-{module}")]
    names += [canonicalize_name(module.removeprefix("py"))] if module.startswith("py") else []
    return tuple(dict.fromkeys(names))


def provided(module: str, dists: frozenset[str], *, guessed: frozenset[str] | None = None) -> bool:
    """Whether one of `dists` provides `module`: by the table, or by name (`_named_after`)
    among `guessed` (default: all of them; the distributions whose file list is unknown)."""
    if any(name in dists for name in candidates(module)):
        return True
    return any(_named_after(module, dist) for dist in (dists if guessed is None else guessed))


def _named_after(module: str, dist: str) -> bool:
    """Offline fallback when no metadata says which modules a distribution holds: the module's
    name is a whole part of the distribution's (`fastapi_cache` in `fastapi-cache2`,
    `argon2` in `argon2-cffi`, `agents` in `openai-agents`). Only ever silences a finding."""
    key = canonicalize_name(module)
    dist = dist.split("[", 1)[0]
    if len(key) < 3 or key == dist:
        return key == dist
    parts = dist.split("-")
    stripped = dist.rstrip("0123456789")
    return (
        dist.startswith(key + "-")
        or dist.endswith("-" + key)
        or stripped == key
        or f"-{key}-" in f"-{dist}-"
        or "-".join(parts[:-1]) == key
    )


def suggested_distribution(module: str) -> str | None:
    """The distribution to add, only when known: a guessed name could be someone else's package."""
    known = DISTRIBUTIONS.get(module)
    return known[0] if known else None


# Distributions whose plain install does not import everywhere: psycopg 3 alone needs the
# system libpq (absent from the slim images, RQ015); its binary extra brings one.
_INSTALL_WITH_EXTRA = {"psycopg": "psycopg[binary]"}


def requirement_to_add(distribution: str) -> str:
    """What to add for `distribution` so that it imports in any image."""
    return _INSTALL_WITH_EXTRA.get(canonicalize_name(distribution), distribution)


def distribution_for_module(module: str) -> str | None:
    """The distribution that provides the top-level import `module`, when the tables know it:
    a mapped name, or the module's own name when that is a known distribution."""
    known = suggested_distribution(module)
    if known:
        return known
    name = canonicalize_name(module)
    return name if name in REQUIRES or name in LEAVES else None
