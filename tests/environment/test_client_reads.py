"""API clients that read their own key: built at start without `api_key=`, `OpenAI()` needs
OPENAI_API_KEY (and the like) set, so EV001 names it and verify gives it a placeholder."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.environment.reads import required_variables
from hfdeploy.verify.settings import required_variables as verify_required
from tests.support import make_tree, project_for

APP = "from fastapi import FastAPI\napp = FastAPI()\n"


def required(tmp_path: Path, code: str, **files: str) -> set[str]:
    root = make_tree(tmp_path / "repo", {"main.py": code, **files})
    project = project_for(root)
    found = set(required_variables(project))
    assert found == set(verify_required(project)) - {"PORT", "HOST", "USER"}
    return found


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from openai import OpenAI\nclient = OpenAI()\n", {"OPENAI_API_KEY"}),
        ("import openai\nclient = openai.AsyncOpenAI(timeout=5)\n", {"OPENAI_API_KEY"}),
        ("from groq import Groq as G\nclient = G()\n", {"GROQ_API_KEY"}),
        (
            "from openai import AzureOpenAI\nclient = AzureOpenAI()\n",
            {"AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "AZURE_OPENAI_ENDPOINT"},
        ),
        (
            "from openai import AsyncAzureOpenAI\n"
            "client = AsyncAzureOpenAI(azure_ad_token_provider=lambda: 't', api_version='1',"
            " base_url='https://x.example.com')\n",
            set(),
        ),
        # the keyword gives the value: the library reads nothing
        ("from openai import OpenAI\nclient = OpenAI(api_key='sk-local')\n", set()),
        # no raise when built: Anthropic() reads its key at the first request
        ("from anthropic import Anthropic\nclient = Anthropic()\n", set()),
        # the app sets the variable itself before building the client
        (
            "import os\nfrom openai import OpenAI\n"
            "os.environ['OPENAI_API_KEY'] = os.getenv('LLM_TOKEN', 'none')\nclient = OpenAI()\n",
            set(),
        ),
        # built in a startup handler: at start
        (
            "from openai import OpenAI\n@app.on_event('startup')\ndef boot():\n"
            "    app.state.client = OpenAI()\n",
            {"OPENAI_API_KEY"},
        ),
        # built in a route: per request
        (
            "from openai import OpenAI\n@app.get('/')\ndef index():\n    return str(OpenAI())\n",
            set(),
        ),
    ],
)
def test_clients_built_at_start(tmp_path: Path, code: str, expected: set[str]) -> None:
    assert required(tmp_path, APP + code) == expected


def test_the_dockerfile_env_gives_it(tmp_path: Path) -> None:
    code = APP + "from openai import OpenAI\nclient = OpenAI()\n"
    dockerfile = "FROM python:3.11-slim\nENV OPENAI_API_KEY=sk-none\nCOPY . .\n"
    root = make_tree(tmp_path / "repo", {"main.py": code, "Dockerfile": dockerfile})
    assert set(required_variables(project_for(root))) == set()


@pytest.mark.parametrize(
    "key",
    [
        "os.environ.get('LLM_TOKEN')",
        "os.getenv('LLM_TOKEN')",
        "os.getenv('LLM_TOKEN', '')",
    ],
)
def test_api_key_keyword_forms(tmp_path: Path, key: str) -> None:
    code = APP + f"import os\nfrom openai import OpenAI\nclient = OpenAI(api_key={key})\n"
    assert required(tmp_path, code) == {"LLM_TOKEN"}


def test_api_key_through_an_unpacked_name_in_a_lifespan(tmp_path: Path) -> None:
    code = (
        "import os\nfrom contextlib import asynccontextmanager\nfrom fastapi import FastAPI\n"
        "from groq import AsyncGroq\n"
        "@asynccontextmanager\nasync def lifespan(app):\n"
        "    key, model = os.getenv('LLM_TOKEN', ''), os.getenv('LLM_MODEL', 'small')\n"
        "    app.state.llm = AsyncGroq(api_key=key)\n    yield\n"
        "app = FastAPI(lifespan=lifespan)\n"
    )
    assert required(tmp_path, code) == {"LLM_TOKEN"}


def test_unpacked_read_checked_before_use_is_not_required(tmp_path: Path) -> None:
    code = (
        "import os\nkey, model = os.getenv('LLM_TOKEN'), os.getenv('LLM_MODEL')\n"
        "if key:\n    print(model)\n"
        "token, region = os.getenv('REGION_TOKEN', ''), 'eu'\n"
        "if not token:\n    raise RuntimeError('REGION_TOKEN is not set')\n"
    )
    assert required(tmp_path, APP + code) == {"LLM_MODEL", "REGION_TOKEN"}
