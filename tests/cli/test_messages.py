"""The library names its parameters in messages; the command line shows the flags that set them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nlp.cli._common import PARAM_FLAGS, cli_terms
from nlp.cli.main import app


@pytest.mark.parametrize(
    ("library", "cli"),
    [
        ("engine= must be one of local, spark, got 'dask'", "--engine must be one of local, spark, got 'dask'"),
        ("spark_master= applies to engine='spark'; add engine='spark' or drop spark_master=", "--spark-master applies to --engine spark; add --engine spark or drop --spark-master"),
        ("fast=True runs the fast model on int8; drop quantize=False, or drop fast=True", "--fast runs the fast model on int8; drop --fp32, or drop --fast"),
        ("rating_scale='9-2': the lowest rating must be below the highest", "--rating-scale 9-2: the lowest rating must be below the highest"),
        ("column 'body' not found; pass text_col=NAME.", "column 'body' not found; pass --text-col NAME."),
        ("pass context=PATH or context=None", "pass --real-context PATH or --real-context none"),
        ("got layers=7", "got --layers 7"),
        # not parameters: left as written
        ("see https://example.org/?domain=abc and x=1", "see https://example.org/?domain=abc and x=1"),
        ("rating_invalid: a=b", "rating_invalid: a=b"),
    ],
)
def test_library_terms_become_flags(library, cli):
    assert cli_terms(library) == cli


def test_every_mapped_flag_is_an_option_of_some_command():
    import click
    import typer.main

    group = typer.main.get_command(app)
    options = set()

    ctx = click.Context(group)

    def walk(cmd):
        for p in cmd.params:
            if p.param_type_name == "option":
                options.update(o for o in p.opts + p.secondary_opts)
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name))

    walk(group)
    assert set(PARAM_FLAGS.values()) - options == set()


def test_a_library_error_reaches_the_user_as_flags(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,좋아요\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["score", str(src), "-o", str(tmp_path / "out.csv"), "--rating-scale", "5-1"])
    assert res.exit_code == 2
    said = " ".join(res.output.split())
    assert "--rating-scale 5-1" in said and "rating_scale=" not in said
