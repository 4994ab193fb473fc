"""The `hfdeploy` command line: one module per command; this module wires them together."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from hfdeploy import __version__

if TYPE_CHECKING:
    import typer


def build_app() -> typer.Typer:
    import typer

    from hfdeploy.cli import check, fix, logs, push, rules, verify

    app = typer.Typer(
        name="hfdeploy",
        help=(
            "Make a FastAPI backend deploy and run as a Hugging Face Docker Space.\n\n"
            "check: report problems (CI gate). fix: repair them (diff; --write to apply). "
            "verify: build and start the image with Docker and prove it serves. "
            "push: deploy to a Space and follow it. logs: explain what a Space's log says."
        ),
        add_completion=False,
        pretty_exceptions_enable=False,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", "-V", help="Print the version and exit."),
    ) -> None:
        if version:
            print(f"hfdeploy {__version__}")
            raise typer.Exit(0)

    for module in (check, fix, verify, push, logs, rules):
        module.register(app)
    return app


def run() -> None:
    """Console-script entry: exit without tearing down the interpreter's objects, which costs
    more than the work itself on a large project's re-run (mypy does the same).

    The collector runs far less often than by default: a check allocates millions of
    short-lived objects (tokens, syntax trees) beside the files it holds until exit, and with
    the default thresholds full collections that re-scan those cost a third of a large
    project's check. (Worker processes, forked, inherit this.)"""
    import gc
    import os

    gc.set_threshold(50_000, 20, 10)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args in (["--version"], ["-V"]):  # answered before importing anything heavy
        print(f"hfdeploy {__version__}")
        return 0
    from hfdeploy.cli.base import guard, parse_check

    parsed = parse_check(args)
    if parsed is not None:  # `check` with plain options: answered without importing typer
        from hfdeploy.cli.base import run_check

        return guard(lambda: run_check(parsed))
    return typer_main(args)


def typer_main(args: list[str]) -> int:
    """The full command line (typer): every command, help, usage errors."""
    app = build_app()
    try:
        app(args=args, prog_name="hfdeploy", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    return 0
