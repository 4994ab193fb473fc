"""Issue 11's failure kinds through a real container: for each kind a small repository that
has it, the finding `check` reports, the image as it is failing the way the finding says (where
that is quick to show), and the image after `fix --write` (or after following the finding's
advice, where no fix is safe) building and serving as a Space would run it: uid 1000, host
networking, BuildKit (the Hub's builder).

Kinds: writing where uid 1000 cannot (DF031), models downloaded at start (DF032, against a Hub
on 127.0.0.1), build-step hazards (DF033 apt after USER, DF034 packages.txt, DF037 a secret as
a build argument), files the image lacks (DF036, repaired by its COPY fix), and the HTTPS proxy and iframe (DF035
forwarded headers, PY010 CORS, PY011 cookies).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest

from tests.e2e.fake_hub import FakeHub
from tests.support import check_tree, codes, fix_tree, make_tree

pytestmark = pytest.mark.docker

# The same first two lines as the verify tests' repositories: one cached pip layer for all.
BASE = "FROM python:3.11-slim\nRUN pip install --no-cache-dir fastapi==0.165.0 uvicorn==0.54.0\n"
REQUIREMENTS = "fastapi==0.165.0\nuvicorn==0.54.0\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


def repo(tmp_path: Path, port: int, files: dict[str, str]) -> Path:
    readme = f"---\ntitle: issue 11\nsdk: docker\napp_port: {port}\n---\n"
    return make_tree(
        tmp_path / "repo", {"README.md": readme, "requirements.txt": REQUIREMENTS, **files}
    )


def docker_cli() -> str:
    cli = shutil.which("docker", path="/usr/bin") or shutil.which("docker")
    if cli is None:
        pytest.fail("no docker client to build with BuildKit")
    return cli


def build(root: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[str, int, str]:
    """Build with BuildKit as the Hub does; (tag, exit code, output)."""
    tag = f"hfdeploy-test-issue11-{uuid.uuid4().hex[:12]}"
    proc = subprocess.run(
        [
            docker_cli(),
            "build",
            "--network",
            "host",
            "--progress",
            "plain",
            "-t",
            tag,
            *extra,
            str(root),
        ],
        env={**os.environ, "DOCKER_BUILDKIT": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return tag, proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def images(docker_client: Any) -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    for tag in made:
        with contextlib.suppress(Exception):  # a failed build makes no image
            docker_client.images.remove(tag, force=True)


class Running:
    def __init__(self, client: Any, tag: str, env: dict[str, str] | None = None):
        self.container = client.containers.run(
            tag, user="1000", network_mode="host", detach=True, environment=env or {}
        )

    def logs(self) -> str:
        return str(self.container.logs().decode("utf-8", "replace"))

    def request(
        self,
        port: int,
        path: str,
        headers: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        timeout: float = 90,
    ) -> http.client.HTTPResponse:
        """The first answer on `path`; fails with the logs when the container exits first."""
        deadline = time.monotonic() + timeout
        while True:
            self.container.reload()
            if self.container.status == "exited":
                pytest.fail(f"the container exited:\n{self.logs()[-3000:]}")
            try:
                conn = http.client.HTTPConnection(host, port, timeout=5)
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                return response
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nothing answered on {host}:{port}:\n{self.logs()[-3000:]}")
                time.sleep(0.5)

    def exit_logs(self, timeout: float = 90) -> str:
        """The logs of a container expected to stop by itself."""
        self.container.wait(timeout=timeout)
        return self.logs()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.container.remove(force=True)


def cmd(port: int) -> str:
    return f'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "{port}"]\n'


# --- writing where uid 1000 cannot -------------------------------------------------------------


def test_outputs_in_a_root_owned_workdir_fail_then_the_fix_lets_uid_1000_write(
    tmp_path: Path, docker_client: Any, images: list[str]
) -> None:
    port = free_port()
    main = (
        "import os\n\nfrom fastapi import FastAPI\n\n"
        'os.makedirs("uploads", exist_ok=True)\n'
        'with open("uploads/started.txt", "w") as f:\n    f.write("ok")\n'
        "app = FastAPI()\n\n\n"
        '@app.get("/")\ndef index():\n    return {"files": os.listdir("uploads")}\n'
    )
    dockerfile = (
        BASE
        + "RUN useradd -m -u 1000 user\nWORKDIR /app\nCOPY --chown=user main.py .\nUSER user\n"
        + cmd(port)
    )
    root = repo(tmp_path, port, {"Dockerfile": dockerfile, "main.py": main})
    found = check_tree(root, "DF031")
    assert codes(found) == ["DF031"] and found[0].severity.name == "ERROR"

    tag, rc, out = build(root)
    images.append(tag)
    assert rc == 0, out[-3000:]
    with Running(docker_client, tag) as app:
        assert "PermissionError: [Errno 13] Permission denied: 'uploads'" in app.exit_logs()

    fix_tree(root, "DF031")
    assert check_tree(root, "DF031") == []
    tag, rc, out = build(root)
    images.append(tag)
    assert rc == 0, out[-3000:]
    with Running(docker_client, tag) as app:
        response = app.request(port, "/")
        assert response.status == 200


# --- slow start: the model is downloaded during the build --------------------------------------


def test_model_download_moves_to_the_build_and_the_start_needs_no_hub(
    tmp_path: Path, docker_client: Any, images: list[str]
) -> None:
    port = free_port()
    model = "my-org/tiny-model"
    main = (
        "from pathlib import Path\n\nfrom fastapi import FastAPI\nfrom huggingface_hub import snapshot_download\n\n"
        f'MODEL_DIR = snapshot_download("{model}")\n'
        "app = FastAPI()\n\n\n"
        '@app.get("/")\ndef index():\n    return {"config": (Path(MODEL_DIR) / "config.json").read_text()}\n'
    )
    with FakeHub(model, {"config.json": b'{"hidden": 4}', "weights.bin": b"0" * 1000}) as hub:
        dockerfile = (
            BASE
            + "RUN pip install --no-cache-dir huggingface_hub\n"
            + "RUN useradd -m -u 1000 user\nUSER user\n"
            + f"ENV HOME=/home/user HF_ENDPOINT={hub.url}\n"
            + "WORKDIR /home/user/app\nCOPY --chown=user . .\n"
            + cmd(port)
        )
        root = repo(tmp_path, port, {"Dockerfile": dockerfile, "main.py": main})
        assert codes(check_tree(root, "DF031,DF032")) == ["DF032"]
        unfixed, rc, out = build(root)
        images.append(unfixed)
        assert rc == 0, out[-3000:]
        fix_tree(root, "DF032")
        assert check_tree(root, "DF031,DF032") == []
        assert f"snapshot_download('{model}')" in (root / "Dockerfile").read_text()
        tag, rc, out = build(root)
        images.append(tag)
        assert rc == 0, out[-3000:]
        assert any(r.startswith("GET /my-org/tiny-model/resolve/") for r in hub.requests)
    # The Hub is gone. As found, the image has to download at every start, and cannot now.
    with Running(docker_client, unfixed, {"HF_HUB_OFFLINE": "1"}) as app:
        assert "LocalEntryNotFoundError" in app.exit_logs() or "offline" in app.logs().lower()
    # Fixed: the app starts from the cache the build filled, as uid 1000.
    with Running(docker_client, tag, {"HF_HUB_OFFLINE": "1"}) as app:
        response = app.request(port, "/")
        assert response.status == 200


# --- build-step hazards ------------------------------------------------------------------------


def test_apt_after_user_and_packages_txt_build_once_fixed(
    tmp_path: Path, docker_client: Any, images: list[str]
) -> None:
    port = free_port()
    dockerfile = (
        BASE
        + "RUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user\nWORKDIR /home/user/app\n"
        + "RUN apt-get update && apt-get install -y --no-install-recommends jq && rm -rf /var/lib/apt/lists/*\n"
        + "COPY --chown=user . .\n"
        + cmd(port)
    )
    main = (
        "import shutil\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/")\ndef index():\n    return {"jq": shutil.which("jq"), "file": shutil.which("file")}\n'
    )
    root = repo(
        tmp_path, port, {"Dockerfile": dockerfile, "main.py": main, "packages.txt": "file\n"}
    )
    assert sorted(codes(check_tree(root, "DF033,DF034"))) == ["DF033", "DF034"]
    tag, rc, out = build(root)
    images.append(tag)
    assert rc != 0 and "Permission denied" in out, out[-3000:]

    fix_tree(root, "DF033,DF034")
    assert check_tree(root, "DF033,DF034") == []
    tag, rc, out = build(root)
    images.append(tag)
    assert rc == 0, out[-3000:]
    with Running(docker_client, tag) as app:
        response = app.request(port, "/")
        assert response.status == 200
    probe = docker_client.containers.run(
        tag, ["sh", "-c", "command -v jq && command -v file"], remove=True
    )
    assert b"/jq" in probe and b"/file" in probe


def test_secret_build_arg_becomes_a_secret_mount(
    tmp_path: Path, docker_client: Any, images: list[str]
) -> None:
    port = free_port()
    token = "hf_" + uuid.uuid4().hex
    dockerfile = (
        BASE
        + "RUN useradd -m -u 1000 user\nARG HF_TOKEN\n"
        + 'RUN test -n "$HF_TOKEN" && echo "$HF_TOKEN" | wc -c > /tmp/token-length\n'
        + "USER user\nENV HOME=/home/user\nWORKDIR /home/user/app\nCOPY --chown=user . .\n"
        + cmd(port)
    )
    main = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/')\ndef index():\n    return {}\n"
    root = repo(tmp_path, port, {"Dockerfile": dockerfile, "main.py": main})
    assert codes(check_tree(root, "DF037")) == ["DF037"]
    # A Space passes no build argument for a secret: the step fails.
    tag, rc, out = build(root)
    images.append(tag)
    assert rc != 0, out[-3000:]

    fix_tree(root, "DF037")
    assert check_tree(root, "DF037") == []
    secret = tmp_path / "token"
    secret.write_text(token)
    tag, rc, out = build(root, "--secret", f"id=HF_TOKEN,src={secret}")
    images.append(tag)
    assert rc == 0, out[-3000:]
    history = subprocess.run(
        [docker_cli(), "history", "--no-trunc", tag], capture_output=True, text=True, check=True
    ).stdout
    assert token not in history
    with Running(docker_client, tag) as app:
        assert app.request(port, "/").status == 200


# --- files the image lacks ---------------------------------------------------------------------


def test_static_directory_not_copied_fails_at_start_then_the_fix_copies_it(
    tmp_path: Path, docker_client: Any, images: list[str]
) -> None:
    port = free_port()
    main = (
        "from fastapi import FastAPI\nfrom fastapi.staticfiles import StaticFiles\n\n"
        "app = FastAPI()\n"
        'app.mount("/static", StaticFiles(directory="static"), name="static")\n'
    )
    dockerfile = (
        BASE
        + "RUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user\nWORKDIR /home/user/app\n"
        + "COPY --chown=user main.py .\n"
        + cmd(port)
    )
    root = repo(
        tmp_path, port, {"Dockerfile": dockerfile, "main.py": main, "static/site.css": "body {}\n"}
    )
    found = check_tree(root, "DF036")
    assert codes(found) == ["DF036"] and "Directory 'static' does not exist" in found[0].message
    tag, rc, out = build(root)
    images.append(tag)
    assert rc == 0, out[-3000:]
    with Running(docker_client, tag) as app:
        assert "RuntimeError: Directory 'static' does not exist" in app.exit_logs()

    fix_tree(root, "DF036")
    assert "COPY --chown=user static /home/user/app/static\n" in (root / "Dockerfile").read_text()
    assert check_tree(root, "DF036") == []
    tag, rc, out = build(root)
    images.append(tag)
    assert rc == 0, out[-3000:]
    with Running(docker_client, tag) as app:
        assert app.request(port, "/static/site.css").status == 200


# --- behind the Space's HTTPS proxy and iframe -------------------------------------------------


def outside_address() -> str:
    """An address of this machine that is not loopback: requests to it do not come from
    127.0.0.1, which uvicorn trusts by default (as the Space proxy's do not)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
            address = str(sock.getsockname()[0])
        except OSError:
            address = "127.0.0.1"
    if address.startswith("127."):
        pytest.fail("this machine has no non-loopback address to play the Space proxy from")
    return address


def test_proxy_cors_and_cookies_answer_a_browser_on_the_space(
    tmp_path: Path, docker_client: Any, images: list[str]
) -> None:
    port = free_port()
    main = (
        "from fastapi import FastAPI, Request, Response\n"
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "from fastapi.responses import RedirectResponse\n\n"
        "app = FastAPI()\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_methods=["*"])\n\n\n'
        '@app.get("/")\ndef index(request: Request):\n    return RedirectResponse(request.url_for("home"))\n\n\n'
        '@app.get("/home")\ndef home(response: Response):\n'
        '    response.set_cookie("session", "abc", httponly=True)\n    return {"ok": True}\n'
    )
    dockerfile = (
        BASE
        + "RUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user\nWORKDIR /home/user/app\n"
        + "COPY --chown=user . .\n"
        + cmd(port)
    )
    root = repo(tmp_path, port, {"Dockerfile": dockerfile, "main.py": main})
    assert sorted(codes(check_tree(root, "DF035,PY010,PY011"))) == ["DF035", "PY010", "PY011"]
    space_host = "owner-name.hf.space"
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "Host": space_host}
    origin = f"https://{space_host}"
    tag, rc, out = build(root)
    images.append(tag)
    assert rc == 0, out[-3000:]
    with Running(docker_client, tag, {"SPACE_HOST": space_host}) as app:
        # As found: the redirect leaves https, the Space's origin gets no CORS answer, and the
        # cookie is SameSite=Lax (not sent back inside the huggingface.co iframe).
        redirect = app.request(port, "/", proxy, host=outside_address())
        assert redirect.getheader("location") == f"http://{space_host}/home"
        answer = app.request(port, "/home", {"Origin": origin})
        assert answer.getheader("access-control-allow-origin") is None
        assert "samesite=lax" in (answer.getheader("set-cookie") or "").lower()

    fix_tree(root, "DF035,PY010,PY011", unsafe=True)
    assert check_tree(root, "DF035,PY010,PY011") == []
    tag, rc, out = build(root)
    images.append(tag)
    assert rc == 0, out[-3000:]
    with Running(docker_client, tag, {"SPACE_HOST": space_host}) as app:
        redirect = app.request(port, "/", proxy, host=outside_address())
        assert redirect.status == 307
        assert redirect.getheader("location") == f"https://{space_host}/home"
        answer = app.request(port, "/home", {"Origin": origin})
        assert answer.getheader("access-control-allow-origin") == origin
        cookie = (answer.getheader("set-cookie") or "").lower()
        assert "samesite=none" in cookie and "secure" in cookie
