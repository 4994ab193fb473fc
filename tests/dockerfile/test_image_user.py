"""The runtime user's view of the image (dockerfile/writable.py) and the app's start-up view
(pysource/startup.py) that DF031-DF038 and PY010/PY011 share."""

from __future__ import annotations

from pathlib import Path

from hfdeploy.dockerfile.stage import runtime
from hfdeploy.dockerfile.writable import image_user, landing, source_for, start_directory
from hfdeploy.pysource.startup import startup
from tests.support import make_tree, project_for

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def project(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    root = make_tree(tmp_path / "repo", {"Dockerfile": dockerfile, "main.py": APP, **(files or {})})
    return project_for(root)


def test_who_can_write_where(tmp_path: Path) -> None:
    p = project(
        tmp_path,
        "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nWORKDIR /app\n"
        "RUN mkdir -p /app/data /srv/cache && chown user /app/data && chmod 777 /srv/cache\n"
        "RUN mkdir /opt/models\nCOPY --chown=user . .\nUSER user\nRUN mkdir -p /home/user/x\n"
        'CMD ["uvicorn", "main:app"]\n',
        {"static/site.css": "body {}\n"},
    )
    iu = image_user(p)
    assert iu is not None and iu.name == "user" and iu.home == "/home/user"
    assert iu.can_write("/app/data/notes.db") and iu.can_write("/srv/cache/x")
    assert iu.can_write("/home/user/.cache/huggingface") and iu.can_write("/tmp/x")
    assert iu.can_write("/app/static")  # created by COPY --chown=user for the context's static/
    assert not iu.can_write("/app/uploads")  # WORKDIR before USER: root's
    assert not iu.can_write("/opt/models") and not iu.can_write("/data")
    assert iu.hf_home() == "/home/user/.cache/huggingface"


def test_home_without_an_account_is_root(tmp_path: Path) -> None:
    p = project(
        tmp_path,
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nENV HF_HOME=/models\nCMD uvicorn main:app\n",
    )
    iu = image_user(p)
    assert iu is not None and iu.name is None and iu.home == "/" and iu.owner == "1000"
    assert iu.hf_home() == "/models" and iu.hf_home_setting() == "HF_HOME"
    assert iu.cache_home() == "/.cache" and not iu.can_write("/models")


def test_where_files_land_and_back(tmp_path: Path) -> None:
    p = project(
        tmp_path,
        "FROM python:3.11-slim\nWORKDIR /srv\nCOPY main.py .\nCOPY static /srv/public\n"
        "COPY conf/ /etc/app/\nCMD sh -c 'cd /srv/public && exec uvicorn main:app'\n",
        {"static/a.css": "x\n", "conf/app.toml": "x = 1\n"},
    )
    assert landing(p, "main.py") == "/srv/main.py"
    assert landing(p, "static", is_dir=True) == "/srv/public"
    assert landing(p, "static/a.css") == "/srv/public/a.css"
    assert landing(p, "conf/app.toml") == "/etc/app/app.toml"
    assert landing(p, "README.md") is None
    assert source_for(p, "/srv/public/a.css") == "static/a.css"
    assert source_for(p, "/srv/main.py") == "main.py"
    assert source_for(p, "/srv/other.py") is None
    rt = runtime(p)
    assert rt is not None and start_directory(rt) == "/srv/public"


def test_start_up_view_tells_start_from_request(tmp_path: Path) -> None:
    main = (
        "import os\nfrom pathlib import Path\n\nfrom fastapi import FastAPI\n"
        "from transformers import AutoModel, pipeline\n\n"
        "HERE = Path(__file__).resolve().parent\nMODEL = 'org/model'\n"
        "DATA = os.getenv('DATA_DIR', 'data')\n\n"
        "def load():\n    return AutoModel.from_pretrained(MODEL)\n\n"
        "model = load()\napp = FastAPI()\n\n"
        "@app.on_event('startup')\ndef boot():\n    os.makedirs(HERE / 'out', exist_ok=True)\n\n"
        "@app.get('/')\ndef index():\n    pipeline('ner', model='org/ner')\n    os.makedirs(os.path.join(DATA, 'x'))\n"
    )
    root = make_tree(tmp_path / "repo", {"main.py": main})
    st = startup(project_for(root))
    loads = {(u.kind, u.model_id, u.at_start) for u in st.hub_loads}
    assert loads == {("from_pretrained", "org/model", True), ("pipeline", "org/ner", False)}
    writes = {(u.target.base, u.target.value, u.at_start) for u in st.writes if u.target}
    assert writes == {("module", "out", True), ("cwd", "data/x", False)}
    data = next(u.target for u in st.writes if u.target and u.target.base == "cwd")
    assert data.in_image(None, "/app") == "/app/data/x"
    assert data.in_image(None, "/app", {"DATA_DIR": "/tmp/d"}) == "/tmp/d/x"
