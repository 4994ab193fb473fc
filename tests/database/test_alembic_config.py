"""alembic_setups: where Alembic finds its script directory and revisions — the ini file's
`[alembic]` options, `[tool.alembic]` in pyproject.toml (Alembic 1.16+), `version_locations`
split as Alembic splits it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hfdeploy.database.alembic import alembic_setups, revision_files
from tests.support import make_tree, project_for

P = PurePosixPath


def setups(tmp_path: Path, files: dict[str, str]):
    project = project_for(make_tree(tmp_path / "repo", files))
    return project, alembic_setups(project)


def test_ini_version_locations_with_a_separator(tmp_path: Path) -> None:
    project, [setup] = setups(
        tmp_path,
        {
            "alembic.ini": (
                "[alembic]\nscript_location = %(here)s/db\npath_separator = os\n"
                "version_locations = %(here)s/db/a:db/b two\nprepend_sys_path = .:src\n"
            ),
            "db/env.py": "",
            "db/a/0001_x.py": "",
            "db/b two/0002_y.py": "",  # `os` splits on ':' only: the space is in the name
            "db/versions/0000_old.py": "",  # not a version location any more
        },
    )
    assert setup.env == P("db/env.py")
    assert setup.versions == (P("db/a"), P("db/b two"))
    assert setup.sys_path == (".", "src")
    assert sorted(revision_files(project, setup)) == [P("db/a/0001_x.py"), P("db/b two/0002_y.py")]


def test_ini_without_separator_splits_on_spaces_and_commas(tmp_path: Path) -> None:
    _, [setup] = setups(
        tmp_path,
        {
            "backend/alembic.ini": (
                "[alembic]\nscript_location = migrations\n"
                "version_locations = migrations/one, migrations/two migrations/three\n"
            ),
            "backend/migrations/env.py": "",
        },
    )
    assert setup.versions == (
        P("backend/migrations/one"),
        P("backend/migrations/two"),
        P("backend/migrations/three"),
    )


def test_pyproject_table_fills_what_the_ini_leaves_out(tmp_path: Path) -> None:
    """Alembic 1.16's `pyproject` template: the ini keeps the URL, pyproject.toml the rest."""
    _, [setup] = setups(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nsqlalchemy.url = sqlite:///app.db\n",
            "pyproject.toml": (
                '[tool.alembic]\nscript_location = "%(here)s/migrations"\n'
                'version_locations = ["%(here)s/migrations/revisions"]\n'
                'prepend_sys_path = ["."]\n'
            ),
            "migrations/env.py": "",
        },
    )
    assert setup.ini == P("alembic.ini")
    assert setup.env == P("migrations/env.py")
    assert setup.versions == (P("migrations/revisions"),)
    assert setup.sys_path == (".",)


def test_pyproject_alone_and_what_is_not_a_setup(tmp_path: Path) -> None:
    _, found = setups(
        tmp_path,
        {
            "api/pyproject.toml": '[tool.alembic]\nscript_location = "db"\n',
            "api/db/env.py": "",
            # no script_location: not an Alembic configuration
            "pyproject.toml": '[tool.alembic]\nsqlalchemy_echo = true\n[project]\nname = "x"\n',
            # a package resource is not a directory of the repository
            "other/alembic.ini": "[alembic]\nscript_location = myapp:migrations\n",
        },
    )
    by_config = {s.ini: s for s in found}
    assert set(by_config) == {P("api/pyproject.toml"), P("other/alembic.ini")}
    assert by_config[P("api/pyproject.toml")].env == P("api/db/env.py")
    assert by_config[P("api/pyproject.toml")].versions == (P("api/db/versions"),)
    assert by_config[P("other/alembic.ini")].env is None
