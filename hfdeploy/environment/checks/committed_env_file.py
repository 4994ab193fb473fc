"""EV002: a committed `.env` file holding secret-looking values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Untrack
from hfdeploy.environment.dotenv import EnvFile, env_files, secret_entries
from hfdeploy.ignore import IgnoreRules
from hfdeploy.project import Project

GITIGNORE = PurePosixPath(".gitignore")


class CommittedEnvFile(Check):
    """## What it does
    Finds `.env` files (`.env`, `.env.production`, ...) committed to git with secret-looking values.

    Secret-looking: a name with SECRET, TOKEN, PASSWORD or KEY and a real value, or a URL with
    a password. The values are never printed.

    ## Why is this bad?
    Pushed to a Space, the repository's files are readable by anyone who can see the Space
    (public Spaces: everyone), and a Space never reads `.env` anyway. Removing the file from the
    repository does not remove it from the git history: the values must be rotated.

    ## Example
    ```
    $ git ls-files
    .env
    app/main.py
    ```

    Use instead: keep `.env` out of git (`.gitignore`), set the values as Space secrets, and
    commit a `.env.example` with the names only.

    ## Fix safety
    Safe: adds the file to `.gitignore` (creating it if needed) and removes it from the git index
    (`git rm --cached`); the file stays on disk for local runs. Keeping it out of the Docker image
    (`.dockerignore`) is the Dockerfile checks' job. Rotating the leaked values is up to you.
    """

    code = "EV002"
    name = "committed-env-file"
    severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        if not project.is_git:
            return
        for env in env_files(project):
            if env.placeholder or not project.is_tracked(env.path):
                continue
            secrets = secret_entries(env)
            if secrets:
                names = ", ".join(f"`{n}`" for n in dict.fromkeys(e.key for e in secrets))
                yield self.diagnostic(
                    f"{env.path} is committed and holds secret-looking values ({names}): in a Space "
                    "repository anyone who can see the Space can read them",
                    path=env.path,
                    span=secrets[0].key_span,
                    fix=self._fix(project, env),
                    notes=(
                        "Rotate these values: they stay in the git history after the file is removed.",
                        "Set them as Space secrets instead (`hf spaces secrets add <space> -s NAME=...`).",
                    ),
                )

    @staticmethod
    def _fix(project: Project, env: EnvFile) -> Fix:
        edits: tuple[Edit, ...] = ()
        gitignore = project.source(GITIGNORE)
        text = gitignore.text if gitignore is not None else ""
        if not IgnoreRules(text.splitlines()).ignored(str(env.path)):
            nl = gitignore.newline if gitignore is not None else "\n"
            lead = nl if text and not text.endswith("\n") else ""
            line = f"{lead}{nl if text else ''}# Local secrets: on a Space they are Space secrets{nl}{env.path}{nl}"
            edits = (Edit.insert(GITIGNORE, len(text), line),)
        return Fix(
            f"Stop tracking {env.path} and git-ignore it", edits, untrack=(Untrack(env.path),)
        )
