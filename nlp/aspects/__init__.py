"""Aspect-based sentiment: which aspects customers praise or complain about, per review and per product.

* :class:`AspectExtractor` / :func:`extract` — one row per review × aspect with its polarity,
  score and the clause that carries it (SPEC "Aspect outputs").
* :class:`Taxonomy` — built-in domains (shopping, cosmetics, lodging, food, app, film, books) and
  user files (TOML/YAML) that add or replace aspects.
* :func:`aggregate` / :func:`trend_columns` — per product × aspect (× period) mentions, share of
  reviews, net sentiment with a 95% Wilson interval and evidence ids; the ``aspect_<key>_share``
  and ``aspect_<key>_net`` trend features.
* :func:`aspects_table` — ``nlp aspects``: a table in, the aspect rows out.
* :func:`evaluate_aspects` — ``nlp evaluate aspects``: mention detection, polarity and joint F1
  against a gold set, beside the seed-lexicon baseline.
* :func:`evaluate_aspect_stars` — ``nlp evaluate aspect-stars``: how well aspect scores separate the
  customers' own low and high aspect stars (taste / quantity / delivery in delivery apps), ROC AUC.

How matching and polarity work: ``docs/aspects.md``.
"""

from __future__ import annotations

from nlp.aspects.aggregate import aggregate, period_start, trend_columns, wilson_interval
from nlp.aspects.evaluate import evaluate_aspects, parse_gold
from nlp.aspects.extract import ASPECT_COLUMNS, AspectExtractor, ExtractStats, NotFittedError, choose_domains, extract
from nlp.aspects.stars import evaluate_aspect_stars
from nlp.aspects.table import AspectTableStats, aspects_path, aspects_table
from nlp.aspects.taxonomy import BUILTIN_DOMAINS, DOMAIN_ORDER, Aspect, Domain, Taxonomy, TaxonomyError

__all__ = [
    "AspectExtractor",
    "extract",
    "choose_domains",
    "ExtractStats",
    "NotFittedError",
    "ASPECT_COLUMNS",
    "Taxonomy",
    "Domain",
    "Aspect",
    "TaxonomyError",
    "BUILTIN_DOMAINS",
    "DOMAIN_ORDER",
    "aggregate",
    "trend_columns",
    "period_start",
    "wilson_interval",
    "aspects_table",
    "aspects_path",
    "AspectTableStats",
    "evaluate_aspects",
    "parse_gold",
    "evaluate_aspect_stars",
]
