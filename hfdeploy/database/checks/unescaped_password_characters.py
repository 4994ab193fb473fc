"""DB002: reserved characters written raw in a database URL's user name or password."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import urls_in_use
from hfdeploy.database.sources import FoundUrl
from hfdeploy.database.urls import describe, encode_credential, unescaped_characters
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.project import Project


class UnescapedPasswordCharacters(Check):
    """## What it does
    Finds database URLs whose password (or user name) holds `@ : / # ? % &` or a space that is
    not percent-encoded.

    ## Why is this bad?
    SQLAlchemy ends the credentials at the first `@`: with
    `postgresql://app:p@ss@db.example.com/app` it silently uses password `p` and host
    `ss@db.example.com`, and fails only when it connects. A `/` in the user name breaks parsing
    the same way. The other characters happen to parse today but confuse other URL readers
    (Alembic, libpq, `urllib`), so they are reported as warnings.

    The credentials are read as the author meant them: up to the last `@` that is followed by a
    host. Existing `%XX` escapes are kept.

    ## Example
    ```
    DATABASE_URL=postgresql://app:p@ss#word@db.example.com:443/app
    ```

    Use instead:
    ```
    DATABASE_URL=postgresql://app:p%40ss%23word@db.example.com:443/app
    ```

    ## Fix safety
    Safe: only the password (or user name) is rewritten, with `urllib.parse.quote(value,
    safe="")`, which SQLAlchemy decodes back to the same characters (`quote_plus` would turn a
    space into a literal `+`). In `alembic.ini` every `%` is written as `%%` for ConfigParser.
    """

    code = "DB002"
    name = "unescaped-password-characters"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for found in urls_in_use(project):
            if not found.complete:
                continue
            for label, span in (("user name", found.url.user), ("password", found.url.password)):
                if span is None:
                    continue
                value = found.url.part(span)
                chars = unescaped_characters(value)
                if label == "user name":
                    chars = [c for c in chars if c != "@"]  # SQLAlchemy reads `user@x:pw@` right
                if chars:
                    yield self._finding(found, label, span, value, chars)

    def _finding(
        self, found: FoundUrl, label: str, span: tuple[int, int], value: str, chars: list[str]
    ) -> Diagnostic:
        breaks = "@" in chars if label == "password" else "/" in chars
        consequence = (
            "SQLAlchemy splits the URL at the wrong place and connects to the wrong host"
            if breaks
            else "other URL readers may split the URL at the wrong place"
        )
        where = f"`{found.name}`" if found.name else "the database URL"
        file_span = found.span_of(*span)
        fix = None
        if found.editable:
            encoded = found.written_form(encode_credential(value))
            fix = Fix(f"Percent-encode the {label}", (Edit(found.path, file_span, encoded),))
        return self.diagnostic(
            f"The {label} in {where} holds unescaped {describe(chars)}: {consequence} "
            f"(URL: `{found.url.masked()}`)",
            path=found.path,
            span=file_span,
            fix=fix,
            severity=Severity.ERROR if breaks else Severity.WARNING,
            notes=(
                (
                    'Percent-encode it, e.g. with `urllib.parse.quote(password, safe="")`, or build '
                    "the URL with `sqlalchemy.URL.create(...)`."
                ),
            ),
        )
