"""Shared CLI plumbing: column options, logging, and one-line errors instead of tracebacks."""

from __future__ import annotations

import errno
import functools
import logging
import os
import re
import sys
from typing import Annotated

import typer
from rich.console import Console

from nlp.io.columns import ColumnMap

err_console = Console(stderr=True)
logger = logging.getLogger("nlp")

STATE = {"debug": False}

# Errors that are the user's to fix: print one line, exit non-zero. Anything else is a bug
# and still gets one line (plus a hint to re-run with --debug for the traceback).
_USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, FileNotFoundError, PermissionError, KeyError, OSError)

TextCol = Annotated[str, typer.Option("--text-col", help="column holding the review/post text")]
IdCol = Annotated[str, typer.Option("--id-col", help="row id column (derived from content + row number when absent)")]
ProductCol = Annotated[str, typer.Option("--product-col", help="product / SKU / film column")]
TimeCol = Annotated[str, typer.Option("--time-col", help="date or datetime column")]
RatingCol = Annotated[str, typer.Option("--rating-col", help="star rating column")]
ChannelCol = Annotated[str, typer.Option("--channel-col", help="channel column (review, sns, inquiry ...)")]
EngineOpt = Annotated[
    str, typer.Option("--engine", help="local (this process) or spark (Apache Spark, same results; pip install 'nlp-insight[spark]', Java 17+)")
]
SparkMasterOpt = Annotated[str, typer.Option("--spark-master", help="Spark master URL for --engine spark: local[*], spark://HOST:7077, yarn, k8s://...")]
Precision = Annotated[
    bool | None,
    typer.Option(
        "--int8/--fp32",
        help="int8 (the default: the int8 encoder with an fp32 re-check of close intent calls, within 0.5 points of fp32 and ~2.5x faster) or fp32",
        show_default=False,
    ),
]
IntentRules = Annotated[
    bool,
    typer.Option(
        "--intent-rules/--no-intent-rules",
        help="intent follows what the review states: won't-return, refund or anti-recommendation → avoid; habit → repurchase; advice → recommend (the default); --no-intent-rules keeps the model's own intent",
    ),
]
RatingScale = Annotated[
    str,
    typer.Option(
        "--rating-scale",
        help="valid ratings, for the rating_invalid flag: auto (1-5, or 1-10 when the first chunk has a rating above 5), the top (5, 10) or LO-HI (0.5-5)",
    ),
]


def column_map(text_col: str, id_col: str, product_col: str, time_col: str, rating_col: str, channel_col: str) -> ColumnMap:
    return ColumnMap(text=text_col, id=id_col, product=product_col, time=time_col, rating=rating_col, channel=channel_col)


# The library's messages name its parameters (``rating_scale=``, ``engine='spark'``); on the command line
# they are read as the flags that set them.
PARAM_FLAGS = {
    "active_window": "--active-window",
    "backend": "--backend",
    "by_topic": "--by-topic",
    "chunk": "--chunk",
    "context": "--real-context",
    "device": "--device",
    "doc_topics": "--topics",
    "domain": "--domain",
    "domain_col": "--domain-col",
    "engine": "--engine",
    "fast": "--fast",
    "film": "--film",
    "fit_sample": "--fit-sample",
    "id_col": "--id-col",
    "layers": "--layers",
    "min_history": "--min-history",
    "min_topic_size": "--min-topic-size",
    "model": "--model",
    "model_dir": "--model",
    "n_film": "--n-film",
    "nr_topics": "--nr-topics",
    "quantize": "--int8",
    "rating_scale": "--rating-scale",
    "recheck_margin": "--recheck",
    "resume": "--resume",
    "run_dir": "--run-dir",
    "spark_master": "--spark-master",
    "taxonomy": "--taxonomy",
    "text_col": "--text-col",
    "topics_dir": "--topics",
}
_VALUE_FLAGS = {("quantize", "False"): "--fp32", ("context", "None"): "--real-context none"}
_PARAM = re.compile(r"(?<![\w.\-/?&])([a-z][a-z_]*)=(?:(True|False|None|'[^']*'|[A-Z][A-Z_]*\b|-?\d+(?:\.\d+)?)|(?![\w'\"]))")


def cli_terms(message: str) -> str:
    """A library message in command-line terms: ``rating_scale='7'`` → ``--rating-scale 7``, ``quantize=False`` → ``--fp32``.

    Example:
        >>> cli_terms("engine= must be local or spark; drop quantize=False, or pass model_dir=DIR")
        '--engine must be local or spark; drop --fp32, or pass --model DIR'
        >>> cli_terms("Pass text_col=NAME (--text-col NAME on the command line) to say which")
        'Pass --text-col NAME to say which'
    """

    def sub(m: re.Match) -> str:
        name, value = m.group(1), m.group(2)
        flag = PARAM_FLAGS.get(name)
        if flag is None:
            return m.group(0)
        if value is not None and (name, value) in _VALUE_FLAGS:
            return _VALUE_FLAGS[(name, value)]
        if value is None or value == "True":
            return flag
        if value.startswith("'"):
            value = value[1:-1]
        return f"{flag} {value}"

    out = _PARAM.sub(sub, message)
    # a library hint that names both spellings reads twice once translated: keep one
    return re.sub(r"(--[\w-]+(?: \S+)?) \(\1 on the command line\)", r"\1", out)


class _CliTerms(logging.Filter):
    """Log records of the library in command-line terms (:func:`cli_terms`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "=" in record.msg:
            record.msg = cli_terms(record.msg)
        return True


def setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_CliTerms())
    # progress bars only on a terminal; pipes and CI stay quiet
    if not sys.stderr.isatty() or os.environ.get("CI"):
        logging.getLogger("nlp").setLevel(max(level, logging.WARNING) if not verbose else level)
    for noisy in ("transformers", "huggingface_hub", "peft", "numba", "bertopic", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def friendly_errors(fn):
    """Turn user errors into ``error: ...`` on stderr and exit code 2 (a traceback only with --debug).

    Messages are escaped: a text such as ``pip install 'nlp-insight[model]'`` is printed as
    written, not read as Rich markup.
    """
    from rich.markup import escape

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            # Ctrl-C: say what was kept and how to go on; 130 is the shell's code for SIGINT
            if STATE["debug"]:
                raise
            from nlp.io.interrupt import RunInterrupted

            msg = cli_terms(str(exc)) if isinstance(exc, RunInterrupted) else "interrupted; outputs not finished were not written (run the command again)"
            err_console.print(f"[yellow]interrupted:[/yellow] {escape(_one_line(msg))}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(INTERRUPTED) from None
        except ImportError as exc:
            if STATE["debug"]:
                raise
            err_console.print(f"[red]error:[/red] {escape(cli_terms(str(exc)))}", markup=True, highlight=False)
            raise typer.Exit(3) from None
        except _USER_ERRORS as exc:
            if STATE["debug"]:
                raise
            msg = cli_terms(_one_line(str(exc))) or type(exc).__name__
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                msg += " (no space left: free some and run the command again; finished chunks of `nlp score`/`nlp run` are kept for --resume)"
            err_console.print(f"[red]error:[/red] {escape(msg)}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except Exception as exc:  # a bug: still no traceback unless asked
            if STATE["debug"]:
                raise
            err_console.print(
                f"[red]error:[/red] {type(exc).__name__}: {escape(_one_line(str(exc)))} (re-run with --debug for the traceback)",
                markup=True,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper


INTERRUPTED = 130
_MAX_MESSAGE = 1_000


def _one_line(text: str) -> str:
    """The first line of a message, at most ~1,000 characters (the middle cut): input echoed into it can be huge."""
    text = text.strip()
    line = text.splitlines()[0] if text else ""
    if len(line) > _MAX_MESSAGE:
        line = f"{line[:700]} … {line[-250:]}"
    return line
