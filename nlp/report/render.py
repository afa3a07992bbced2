"""HTML rendering: the Jinja2 template, its inlined style and script, and a strict Content-Security-Policy.

The report is one offline file. Its only style sheet and its only script are inlined, and
the page's policy allows exactly those two blocks by their SHA-256 hash and nothing else:
no remote or local resource, no other script, no inline event handler, no style attribute,
no form, no base URL (``default-src 'none'``). Everything a reader sees is escaped (Jinja2
autoescaping; the SVG helpers escape their own text).
"""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files
from typing import Any

from nlp.report import fmt, svg

__all__ = ["TEMPLATE", "STYLE", "SCRIPT", "render", "csp_hash", "content_security_policy"]

TEMPLATE = "report.html.j2"
STYLE = "report.css"
SCRIPT = "report.js"


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline block: ``'sha256-…'``.

    Example:
        >>> csp_hash("")
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(style: str, script: str) -> str:
    """The page's policy: nothing but the given inline style and script.

    Example:
        >>> "default-src 'none'" in content_security_policy("a{}", "")
        True
    """
    return f"default-src 'none'; style-src {csp_hash(style)}; script-src {csp_hash(script)}; base-uri 'none'; form-action 'none'"


def _asset(name: str) -> str:
    return files("nlp.report").joinpath("templates", name).read_text(encoding="utf-8")


def render(context: dict[str, Any]) -> str:
    """The report document from its context (see :func:`nlp.report.build.build_report`)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("nlp.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["svg"] = Markup  # chart markup is built (and its text escaped) by nlp.report.svg
    env.filters["pct"] = fmt.pct
    env.filters["signed"] = fmt.signed
    env.filters["count"] = fmt.count
    env.filters["josa"] = fmt.josa
    style = env.from_string(_asset(STYLE)).render(colors=svg.COLORS)
    script = _asset(SCRIPT)
    return env.get_template(TEMPLATE).render(
        **context, style=Markup(style), script=Markup(script), csp=content_security_policy(style, script)
    )
