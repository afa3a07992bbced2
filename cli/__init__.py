"""The ``nlp`` command-line app (installed as ``nlp.cli``): thin Typer commands over library functions."""

__all__ = ["app", "main"]


def __getattr__(name):
    if name in ("app", "main"):
        from nlp.cli import main as _main

        return getattr(_main, name)
    raise AttributeError(name)
