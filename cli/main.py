"""The ``nlp`` Typer app: one command per pipeline stage, sub-apps for train/evaluate."""

from __future__ import annotations

from typing import Annotated

import typer

from nlp.cli._common import STATE, setup_logging

app = typer.Typer(
    name="nlp",
    help="Korean review & social-post insight: tokenise, score sentiment and purchase intent, topics, trends, CX report. Offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global(
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks on errors")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="more logging")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="warnings and errors only")] = False,
) -> None:
    STATE["debug"] = debug
    setup_logging(verbose, quiet)


def _register() -> None:
    from nlp.cli import text

    app.command("tokenize")(text.tokenize_cmd)
    for module, attr in (("score", "register"), ("models", "register"), ("topics", "register"),
                         ("trends", "register"), ("report", "register"), ("run", "register"),
                         ("aspects", "register")):
        try:
            mod = __import__(f"nlp.cli.{module}", fromlist=[attr])
        except ModuleNotFoundError as exc:
            if exc.name == f"nlp.cli.{module}":
                continue  # stage not built yet
            raise
        getattr(mod, attr)(app)
    from nlp.cli._apps import evaluate_app, train_app

    app.add_typer(train_app, name="train")
    app.add_typer(evaluate_app, name="evaluate")


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
