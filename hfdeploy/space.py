"""Facts about Hugging Face Docker Spaces that several domains rely on.

Source: ../shared/reference/spaces.md (Hugging Face docs as of 2026).
"""

from __future__ import annotations

DEFAULT_APP_PORT = 7860  # where the Space proxy sends traffic unless `app_port` says otherwise
SPACE_UID = 1000  # the container always runs as this uid
APP_DIR = "/home/user/app"
# Writable directory for SQLite and other files, owned by uid 1000 in the generated image.
# A Space with a storage bucket mounted at /data sets DATA_DIR=/data as a Space variable.
DATA_DIR = "/home/user/app/data"
DATA_DIR_ENV = "DATA_DIR"
BUCKET_MOUNT = "/data"
OUTBOUND_PORTS = frozenset({80, 443, 8080})  # everything else is blocked from a Space
# Variables the platform injects at run time (spaces.md §4).
INJECTED_VARIABLES = frozenset(
    {
        "SPACE_AUTHOR_NAME",
        "SPACE_REPO_NAME",
        "SPACE_TITLE",
        "SPACE_ID",
        "SPACE_HOST",
        "SPACE_CREATOR_USER_ID",
        "ACCELERATOR",
        "CPU_CORES",
        "MEMORY",
        "OAUTH_CLIENT_ID",
        "OAUTH_CLIENT_SECRET",
        "OAUTH_SCOPES",
        "OPENID_PROVIDER_URL",
    }
)
