"""EV001: variables the app needs at run time, to set as Space secrets or variables."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.environment.reads import (
    EnvRead,
    default_values,
    required_variables,
    variables_needing_a_default,
)
from hfdeploy.project import Project
from hfdeploy.secret_names import looks_secret_name


class RequiredEnvironmentVariable(Check):
    """## What it does
    Lists the environment variables the app needs at run time: the secrets and variables to set
    on the Space, each once, with where it is read.

    It looks at `os.environ["X"]`, `os.getenv("X")` without a default where the value is used
    unchecked, pydantic-settings fields without a default (with `env_prefix` and aliases) and
    starlette `Config("X")` without a default, and calls of the app's own helper functions that
    wrap `os.getenv`/`os.environ[...]` (`env("SECRET_KEY")`). The settings classes' `env_prefix`
    is read from `model_config` (also annotated `ClassVar`), `class Config:`, class keywords and
    the base classes they inherit it from. Variables the platform injects (`SPACE_HOST`,
    `SPACE_ID`, ...), those the container always has (`HOME`, `PATH`, `HOSTNAME`) and those
    the Dockerfile sets are left out; `PORT`, `HOST` and `USER` are never suggested as Space
    settings: a Space sets none of them (it has no `PORT` variable), so when the app requires
    one the finding says to give it the value it must have there as a default: `PORT` the
    `app_port` (7860 by default), `HOST` `0.0.0.0`, `USER` `user`.

    A setting with an empty default (`Optional[str] = None`, `os.getenv("KEY")`) counts as
    required when module-level code passes it as `api_key=` to an API client that refuses a
    missing key when it is built (`OpenAI`, `AsyncOpenAI`, `AzureOpenAI`, `Groq`, ...): the app
    then stops at import with `The api_key client option must be set`. The same clients built
    at start with no `api_key=` read their own variable and stop the same way when it is unset:
    `OpenAI()`/`AsyncOpenAI()` read `OPENAI_API_KEY`, `Groq()` `GROQ_API_KEY`, `AzureOpenAI()`
    `AZURE_OPENAI_API_KEY` (unless given `azure_ad_token`), `OPENAI_API_VERSION` (unless given
    `api_version`) and `AZURE_OPENAI_ENDPOINT` (unless given `azure_endpoint` or `base_url`), so
    each is required. "At start" is at import of a module the app loads, in a startup handler
    or lifespan, or in a function module-level code calls; a client built per request, or
    under an `if`, a conditional expression or a `try`, is not counted, nor a variable the code
    sets in `os.environ` itself. `Anthropic()` builds without a key (a request fails instead),
    so it is not counted either. `verify` gives such a variable a placeholder, as a Space owner
    would set the secret.

    ## Why is this bad?
    It is not: it is information. A Space never reads `.env`, so each of these must be set under
    Settings → Variables and secrets, or the app fails at start. Names with SECRET, TOKEN,
    PASSWORD or KEY (and database URLs) are suggested as secrets, the rest as public variables.

    ## Example
    ```python
    SECRET_KEY = os.environ["SECRET_KEY"]
    ```

    Use instead: set it on the Space (`hf spaces secrets add <space> -s SECRET_KEY=...`), or give
    it a default when the app can run without it.
    """

    code = "EV001"
    name = "required-environment-variable"
    severity = Severity.INFO

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for variable, reads in sorted(required_variables(project).items()):
            reads.sort(key=lambda r: (str(r.module.path), r.module.span(r.node).start))
            first = reads[0]
            secret = looks_secret_name(variable)
            kind, command = (
                ("secret", f"hf spaces secrets add <space> -s {variable}=...")
                if secret
                else ("variable", f"hf spaces variables add <space> -e {variable}=...")
            )
            notes = [f"Read at {r.module.path}:{r.node.lineno} ({_how(r)})." for r in reads]  # type: ignore[attr-defined]
            notes.append(
                f"Set it with `{command}` (type the value without quotes: the Space passes it verbatim)."
            )
            yield self.diagnostic(
                f"The app needs `{variable}` at run time: set it as a Space {kind}",
                path=first.module.path,
                span=first.module.span(first.node),
                notes=notes,
            )
        needing = variables_needing_a_default(project)
        values = default_values(project) if needing else {}
        for variable, reads in sorted(needing.items()):
            reads.sort(key=lambda r: (str(r.module.path), r.module.span(r.node).start))
            first = reads[0]
            value = values[variable]
            yield self.diagnostic(
                f"The app reads `{variable}` without a default and a Space does not set it: give "
                f"it the default `{value}` in the code or `ENV {variable}={value}` in the "
                "Dockerfile (not a Space secret)",
                path=first.module.path,
                span=first.module.span(first.node),
                notes=[
                    *(f"Read at {r.module.path}:{r.node.lineno} ({_how(r)})." for r in reads),  # type: ignore[attr-defined]
                    f"`{value}` is {_WHY[variable]}; `hfdeploy verify` starts the container "
                    "with it, a Space does not.",
                ],
            )


_WHY = {
    "PORT": "the port the Space sends traffic to (`app_port`, 7860 unless the README says)",
    "HOST": "every interface: the Space's proxy reaches the app from outside the container",
    "USER": "the uid-1000 account a Space runs the container as (`user` in the Spaces docs)",
}


def _how(read: EnvRead) -> str:
    if read.kind == "client":
        return (
            f"`{read.needed_by}()` is built at start without `{read.loader}=`: it reads "
            f"`{read.name}` itself and raises when it is unset"
        )
    if read.needed_by:
        return (
            f"its default reaches `{read.needed_by}(api_key=...)` at start, which rejects a "
            "missing key"
        )
    if read.kind == "loader":
        return f"read through `{read.loader}()` without a default"
    if read.kind == "settings":
        return "pydantic-settings field without a default"
    if read.kind == "starlette":
        return "starlette Config without a default"
    return "no default" if read.kind != "environ" else "KeyError when unset"
