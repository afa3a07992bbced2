"""Sub-apps shared by several command modules: ``nlp train ...`` and ``nlp evaluate ...``."""

from __future__ import annotations

import typer

train_app = typer.Typer(help="Fine-tune the scorers (sentiment, intent).", no_args_is_help=True)
evaluate_app = typer.Typer(help="Measure the scorers, topics and trend features.", no_args_is_help=True)
