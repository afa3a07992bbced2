"""Aspect taxonomies: per domain, the aspects customers praise or complain about, with seed terms.

A taxonomy file (TOML or YAML; the built-in domains ship as TOML in ``resources/``) holds
one or more domains::

    [domains.lodging]
    label = "숙박"
    cues = ["호텔", "숙소", "펜션"]                # tell the domain apart for --domain auto; no aspect
    needs_cue = false                             # true: auto picks it only for products whose reviews hold a cue

    [domains.lodging.aspects.noise]
    label = "소음"
    description = "noise insulation, noise from outside or other rooms"
    terms = ["방음", "소음", "층간소음"]          # name the aspect, no opinion of their own
    positive = ["조용하다"]                       # name it and praise it
    negative = ["시끄럽다", "방음 안 되다"]       # name it and complain about it
    exclude = ["소리 지르다"]                     # optional: words that, found on a mention, cancel it
    scorer_praise = true                          # optional; false: only words praise it, not a clause's tone (waiting)

Terms are read with Kiwi, like the reviews, so one term covers its inflections and spacing
variants (``시끄럽다`` matches 시끄러워요, 시끄럽고; ``방음 안 되다`` matches 방음이 전혀 안돼요).
A term with several words matches those words in order within one clause, a few words
apart at most. A noun term ending in ``*`` also matches longer nouns that start with it
(``배달*`` matches 배달원).

An ``exclude`` term cancels a mention of its aspect found on any of the same words, and
its words must stand next to each other (no word between them): ``포장 가다`` keeps food's
packaging from a takeout ("포장해가세요") without touching "포장 잘 해서 왔어요".

A user file adds to the built-in domains: an aspect with a new key is added, one with an
existing key replaces the built-in aspect (``mode = "extend"`` adds its terms to it instead),
and ``mode = "replace"`` on a domain replaces the whole domain. A domain name that is not
built in adds a domain.

Example:
    >>> tax = Taxonomy.builtin()
    >>> "noise" in tax["lodging"].keys
    True
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["Aspect", "Domain", "Taxonomy", "TaxonomyError", "BUILTIN_DOMAINS", "DOMAIN_ORDER", "RESOURCES"]

RESOURCES = Path(__file__).parent / "resources"
BUILTIN_DOMAINS = ("shopping", "cosmetics", "lodging", "food", "app", "film", "books")
DOMAIN_ORDER = ("film", "books", "food", "cosmetics", "lodging", "app", "shopping")
"""Tie order of ``--domain auto``: the more specific domains first, ``shopping`` (the most
generic vocabulary: quality, price, delivery) last. Food comes before lodging: a tie between them
rests on words they share (맛있다 is food's taste and lodging's breakfast), which a food review says far
more often than a hotel review says nothing else. Cosmetics comes before lodging for the same reason:
their shared words (시원하다, 냄새, 향) decide only products with a review or two, which in real exports are
far more often a cosmetic than a hotel (hotels gather many reviews, with words of their own)."""

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file, the place and the fix."""


@dataclass(frozen=True)
class Aspect:
    """One aspect of a domain.

    Attributes:
        key: canonical ASCII key (``noise``), used in column names such as ``aspect_noise_share``.
        label: Korean display name (``소음``).
        terms: seed terms that name the aspect without an opinion of their own.
        positive: seed terms that name it with praise (``조용하다``).
        negative: seed terms that name it with a complaint (``시끄럽다``).
        description: what the aspect covers, for people.
        exclude: terms that cancel a mention of the aspect on the same words (``포장 가다``: a takeout).
        scorer_praise: whether the clause scorer alone may call a mention positive. ``False`` for an aspect
            that is a cost (waiting): "11시간 넘게 대기한 끝에 먹은 따뜻한 한 끼" is a happy clause about a long
            wait, so praise then needs words (a positive seed, or an opinion word the rules bind to it) and
            the scorer's positive probability counts as negative.
    """

    key: str
    label: str
    terms: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    description: str = ""
    exclude: tuple[str, ...] = ()
    scorer_praise: bool = True

    def seeds(self) -> list[tuple[str, int]]:
        """Every seed term with its prior polarity (0, +1 or -1)."""
        return [(t, 0) for t in self.terms] + [(t, 1) for t in self.positive] + [(t, -1) for t in self.negative]


@dataclass(frozen=True)
class Domain:
    """A named set of aspects (``food``, ``lodging`` ...)."""

    name: str
    label: str
    aspects: tuple[Aspect, ...] = field(default_factory=tuple)
    cues: tuple[str, ...] = ()  # words that tell the domain apart (호텔, 어플, 피부) without naming an aspect
    needs_cue: bool = False  # --domain auto picks it only for a product with a review holding one of its cues

    @property
    def keys(self) -> list[str]:
        return [a.key for a in self.aspects]

    def __getitem__(self, key: str) -> Aspect:
        for a in self.aspects:
            if a.key == key:
                return a
        raise KeyError(f"domain {self.name!r} has no aspect {key!r}; it has {self.keys}")


# --- the file schema: unknown keys are rejected, so a typo is an error, not a silent no-op ---------


class _AspectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = None
    description: str = ""
    terms: list[str] = Field(default_factory=list)
    positive: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    scorer_praise: bool | None = None
    mode: Literal["replace", "extend"] = "replace"

    @field_validator("terms", "positive", "negative", "exclude")
    @classmethod
    def _nonempty_terms(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if not isinstance(t, str) or not t.strip() or t.strip() == "*"]
        if bad:
            raise ValueError(f"empty seed term {bad[0]!r}; every term needs at least one word")
        return [t.strip() for t in v]


class _DomainSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = None
    cues: list[str] | None = None
    needs_cue: bool | None = None
    mode: Literal["merge", "replace"] = "merge"
    aspects: dict[str, _AspectSpec] = Field(default_factory=dict)


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    domains: dict[str, _DomainSpec]


def _read_file(path: Path) -> dict:
    if not path.exists():
        raise FileNotFoundError(f"taxonomy file {path} not found; pass a TOML or YAML file (see docs/aspects.md for the format)")
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8")
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TaxonomyError(f"taxonomy file {path} is not valid TOML: {exc}") from exc
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as exc:  # pragma: no cover - PyYAML is a dependency
            raise ImportError("YAML taxonomy files need PyYAML: pip install pyyaml (or write the file as TOML)") from exc
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise TaxonomyError(f"taxonomy file {path} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    else:
        raise TaxonomyError(f"taxonomy file {path} has extension {suffix or '(none)'!r}; expected .toml, .yaml or .yml")
    if not isinstance(data, dict):
        raise TaxonomyError(f"taxonomy file {path} must hold a table with a 'domains' key, found {type(data).__name__}")
    return data


def _parse(path: Path) -> _FileSpec:
    data = _read_file(path)
    try:
        return _FileSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; allowed: domains.<name>.{label, cues, needs_cue, mode, aspects}, aspects.<key>.{label, description, terms, positive, negative, exclude, scorer_praise, mode}"
        elif err["type"] == "missing" and where == "domains":
            msg = "missing: the file needs a 'domains' table ([domains.<name>] in TOML, domains: in YAML)"
        raise TaxonomyError(f"taxonomy file {path}: {where}: {msg}") from None


class Taxonomy:
    """Domains by name, each with its aspects.

    Example:
        >>> tax = Taxonomy.builtin()
        >>> tax["food"]["taste"].label
        '맛'
        >>> sorted(tax.names) == sorted(BUILTIN_DOMAINS)
        True
    """

    def __init__(self, domains: dict[str, Domain]) -> None:
        self.domains = dict(domains)

    @property
    def names(self) -> list[str]:
        return list(self.domains)

    def __getitem__(self, name: str) -> Domain:
        try:
            return self.domains[name]
        except KeyError:
            raise KeyError(f"unknown domain {name!r}; choose one of {self.names} or auto") from None

    def __contains__(self, name: str) -> bool:
        return name in self.domains

    @classmethod
    def builtin(cls) -> Taxonomy:
        """The shipped domains (``shopping``, ``cosmetics``, ``lodging``, ``food``, ``app``, ``film``, ``books``)."""
        return _builtin()

    @classmethod
    def load(cls, path: str | Path | None = None, base: Taxonomy | None = None) -> Taxonomy:
        """The built-in taxonomy (or ``base``) with a user file applied on top.

        Raises:
            TaxonomyError: the file is malformed; the message names the file and the problem.
        """
        tax = base if base is not None else cls.builtin()
        return tax if path is None else tax.updated(Path(path))

    def updated(self, path: Path) -> Taxonomy:
        """A copy with the file's domains and aspects added or replacing these."""
        spec = _parse(path)
        domains = dict(self.domains)
        for name, dspec in spec.domains.items():
            if not _KEY.match(name):
                raise TaxonomyError(f"taxonomy file {path}: domain name {name!r} must be lowercase ASCII (letters, digits, _), e.g. 'lodging'")
            old = domains.get(name)
            if dspec.mode == "replace" or old is None:
                if not dspec.aspects:
                    raise TaxonomyError(f"taxonomy file {path}: domain {name!r} defines no aspects; add [domains.{name}.aspects.<key>] tables")
                aspects: dict[str, Aspect] = {}
                label = dspec.label or name
                cues = tuple(dspec.cues or ())
                needs_cue = bool(dspec.needs_cue)
            else:
                aspects = {a.key: a for a in old.aspects}
                label = dspec.label or old.label
                cues = old.cues + tuple(dspec.cues or ())
                needs_cue = old.needs_cue if dspec.needs_cue is None else dspec.needs_cue
            for key, aspec in dspec.aspects.items():
                where = f"taxonomy file {path}: domains.{name}.aspects.{key}"
                if not _KEY.match(key):
                    raise TaxonomyError(f"{where}: aspect key must be lowercase ASCII (letters, digits, _), e.g. 'delivery'")
                prev = aspects.get(key)
                if aspec.mode == "extend":
                    if prev is None:
                        raise TaxonomyError(f"{where}: mode = 'extend' needs an existing aspect {key!r}; {name!r} has {sorted(aspects)}")
                    aspects[key] = replace(
                        prev,
                        label=aspec.label or prev.label,
                        description=aspec.description or prev.description,
                        terms=prev.terms + tuple(aspec.terms),
                        positive=prev.positive + tuple(aspec.positive),
                        negative=prev.negative + tuple(aspec.negative),
                        exclude=prev.exclude + tuple(aspec.exclude),
                        scorer_praise=prev.scorer_praise if aspec.scorer_praise is None else aspec.scorer_praise,
                    )
                    continue
                if not aspec.label:
                    raise TaxonomyError(f"{where}: missing label (the Korean display name, e.g. label = \"배송\")")
                if not (aspec.terms or aspec.positive or aspec.negative):
                    raise TaxonomyError(f"{where}: no seed terms; give at least one of terms, positive, negative")
                aspects[key] = Aspect(
                    key, aspec.label, tuple(aspec.terms), tuple(aspec.positive), tuple(aspec.negative), aspec.description, tuple(aspec.exclude),
                    True if aspec.scorer_praise is None else aspec.scorer_praise,
                )
            if needs_cue and not cues:
                raise TaxonomyError(f"taxonomy file {path}: domain {name!r} has needs_cue = true but no cues")
            domains[name] = Domain(name, label, tuple(aspects.values()), cues, needs_cue)
        return Taxonomy(domains)


@lru_cache(maxsize=1)
def _builtin() -> Taxonomy:
    tax = Taxonomy({})
    for name in BUILTIN_DOMAINS:
        tax = tax.updated(RESOURCES / f"{name}.toml")
    return tax
