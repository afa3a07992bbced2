"""Taxonomies: the built-in domains carry the SPEC's keys; user files (TOML, YAML) add or replace; bad files fail clearly."""

from __future__ import annotations

import pandas as pd
import pytest

from nlp.aspects import AspectExtractor, Taxonomy, TaxonomyError
from nlp.aspects.matcher import SeedIndex

SPEC_KEYS = {
    "shopping": {"quality", "price", "delivery", "packaging", "design", "size", "durability", "usability", "service"},
    "cosmetics": {"moisture", "soothing", "irritation", "texture", "scent", "effect", "price", "delivery", "packaging", "design"},
    "lodging": {"cleanliness", "noise", "staff", "location", "breakfast", "room", "temperature", "parking", "checkin", "amenities", "price"},
    "food": {"taste", "quantity", "delivery", "price", "packaging", "hygiene", "service", "waiting", "ambience"},
    "app": {"bugs", "speed", "usability", "update", "support", "login", "fees", "ads"},
    "film": {"story", "acting", "directing", "music", "visuals"},
}


def test_builtin_domains_have_the_spec_keys():
    tax = Taxonomy.builtin()
    for name, keys in SPEC_KEYS.items():
        assert keys <= set(tax[name].keys), name
        for a in tax[name].aspects:
            assert a.label and (a.terms or a.positive or a.negative)


def test_builtin_seeds_compile(rules_extractor):
    assert len(rules_extractor.index_.seeds) > 1000


TOML = """
[domains.lodging.aspects.pool]
label = "수영장"
terms = ["수영장", "인피니티풀"]

[domains.lodging.aspects.noise]
label = "소음"
negative = ["시끄럽다"]

[domains.lodging.aspects.staff]
mode = "extend"
positive = ["웰컴 인사"]

[domains.pets]
label = "반려동물 용품"

[domains.pets.aspects.smell]
label = "냄새"
terms = ["냄새", "탈취"]
"""

YAML = """
domains:
  food:
    mode: replace
    aspects:
      taste:
        label: 맛
        positive: [맛있다]
        negative: [맛없다]
"""


def test_toml_adds_replaces_and_extends(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(TOML, encoding="utf-8")
    tax = Taxonomy.load(f)
    assert "pool" in tax["lodging"].keys and tax["lodging"]["pool"].label == "수영장"
    assert tax["lodging"]["noise"].terms == () and tax["lodging"]["noise"].negative == ("시끄럽다",)  # replaced
    assert "웰컴 인사" in tax["lodging"]["staff"].positive and "친절하다" in tax["lodging"]["staff"].positive  # extended
    assert tax["pets"].keys == ["smell"]
    assert "방음" in Taxonomy.builtin()["lodging"]["noise"].terms  # the built-in one is untouched


def test_yaml_replaces_a_whole_domain(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(YAML, encoding="utf-8")
    tax = Taxonomy.load(f)
    assert tax["food"].keys == ["taste"]
    rows = AspectExtractor(domain="food", taxonomy=f, rules_only=True).fit().transform(pd.DataFrame({"text": ["배달 빠르고 맛있어요"]}))
    assert rows["aspect"].tolist() == ["taste"]


def test_user_domain_is_used_by_the_extractor(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(TOML, encoding="utf-8")
    ex = AspectExtractor(domain="pets", taxonomy=f, rules_only=True).fit()
    assert {r["aspect"] for r in ex.predict("탈취 효과가 좋아요")} == {"smell"}


def test_an_exclude_term_cancels_its_aspect_on_the_same_words(tmp_path):
    # food's packaging: a takeout (포장해가세요) is no packaging; a user file extends it with a wrapped gift
    built = AspectExtractor(domain="food", rules_only=True).fit()
    assert {r["aspect"] for r in built.predict("볼카츠 꼭 포장해가세요")} == set()
    assert {r["aspect"] for r in built.predict("포장 잘 해서 왔어요")} == {"packaging"}  # 포장 … 오다 stand apart
    assert {r["aspect"] for r in built.predict("포장해서 왔는데 국물이 샜어요")} == {"packaging", "taste"}
    f = tmp_path / "mine.toml"
    f.write_text("[domains.food.aspects.packaging]\nmode = 'extend'\nexclude = ['선물 포장']\n", encoding="utf-8")
    mine = AspectExtractor(domain="food", taxonomy=f, rules_only=True).fit()
    assert {r["aspect"] for r in built.predict("선물 포장 부탁드렸어요")} == {"packaging"}
    assert {r["aspect"] for r in mine.predict("선물 포장 부탁드렸어요")} == set()
    assert {r["aspect"] for r in mine.predict("볼카츠 꼭 포장해가세요")} == set()  # extend keeps the built-in ones


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.toml", "[domains.food\nlabel = 1", "not valid TOML"),
        ("bad.yaml", "domains: [unclosed", "not valid YAML"),
        ("bad.json", "{}", "expected .toml, .yaml or .yml"),
        ("bad.toml", "[food.aspects.taste]\nlabel = '맛'\nterms=['맛']", "domains"),
        ("bad.toml", "[domains.food.aspects.taste]\nlabel = '맛'\nterms = ['맛']\ncolour = 'red'", "domains.food.aspects.taste.colour: unknown key"),
        ("bad.toml", "[domains.food.aspects.Taste]\nlabel = '맛'\nterms = ['맛']", "aspect key must be lowercase ASCII"),
        ("bad.toml", "[domains.food.aspects.smell]\nterms = ['냄새']", "missing label"),
        ("bad.toml", "[domains.food.aspects.smell]\nlabel = '냄새'", "no seed terms"),
        ("bad.toml", "[domains.food.aspects.smell]\nlabel = '냄새'\nterms = ['']", "empty seed term"),
        ("bad.toml", "[domains.food.aspects.smell]\nmode = 'extend'\nterms = ['냄새']", "needs an existing aspect 'smell'"),
        ("bad.toml", "[domains.pets]\nlabel = '반려'", "defines no aspects"),
        ("bad.toml", "[domains.food.aspects.taste]\nlabel = '맛'\nterms = ['맛']\nmode = 'merge'", "domains.food.aspects.taste.mode"),
    ],
)
def test_bad_files_name_the_problem(tmp_path, name, text, message):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError) as err:
        Taxonomy.load(f)
    assert message in str(err.value) and str(f) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="taxonomy file .* not found"):
        Taxonomy.load(tmp_path / "nope.toml")


def test_a_seed_that_would_match_everything_is_refused(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text("[domains.food.aspects.taste]\nmode = 'extend'\nnegative = ['하자']", encoding="utf-8")
    with pytest.raises(ValueError, match="'하자' of food.taste reads as '하다'"):
        SeedIndex(Taxonomy.load(f), ["food"])


def test_a_verb_read_as_a_noun_is_refused(tmp_path):
    """새다 (to leak) alone is the noun 새 (bird) to Kiwi: it would match 새 기름 and never 샜어요."""
    f = tmp_path / "mine.toml"
    f.write_text("[domains.food.aspects.packaging]\nmode = 'extend'\nnegative = ['국물 새다', '새다']", encoding="utf-8")
    with pytest.raises(ValueError, match="'새다' of food.packaging: Kiwi reads '새다' alone as the noun '새'"):
        SeedIndex(Taxonomy.load(f), ["food"])
    f.write_text("[domains.food.aspects.packaging]\nmode = 'extend'\nnegative = ['샌다']", encoding="utf-8")
    assert SeedIndex(Taxonomy.load(f), ["food"])


def test_unknown_domain():
    with pytest.raises(ValueError, match="unknown domain 'hotel'; choose auto or one of"):
        AspectExtractor(domain="hotel").fit()
