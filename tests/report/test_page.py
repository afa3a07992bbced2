"""The page itself: a strict CSP that allows only its own style and script, offline, and the aspect views."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from conftest import synth_aspects, synth_reviews

from nlp.report import FindingRules, build_report
from nlp.report.aspect_views import rating_threshold
from nlp.report.labels import intent_names


class _Page(HTMLParser):
    """Start tags with their attributes, and the text of <style> and <script> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.blocks: dict[str, list[str]] = {"style": [], "script": []}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.blocks:
            self._in = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.blocks[self._in][-1] += data


def _page(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    return p


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def test_csp_allows_exactly_the_page_style_and_script(report_html):
    page = _page(report_html)
    metas = [a for t, a in page.tags if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1
    policy = dict(d.strip().split(" ", 1) for d in metas[0]["content"].split(";") if d.strip())
    assert policy["default-src"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert len(page.blocks["style"]) == 1 and len(page.blocks["script"]) == 1
    assert policy["style-src"] == _sha(page.blocks["style"][0])
    assert policy["script-src"] == _sha(page.blocks["script"][0])
    assert "unsafe" not in metas[0]["content"] and "http" not in metas[0]["content"]


def test_nothing_the_policy_would_block_or_fetch(report_html):
    page = _page(report_html)
    attrs = [(t, k, v or "") for t, a in page.tags for k, v in a.items()]
    assert not [a for a in attrs if a[1] == "style"]  # style attributes would need 'unsafe-inline'
    assert not [a for a in attrs if a[1].startswith("on")]  # no inline event handlers
    assert not [a for a in attrs if a[1] == "src"]  # the script is inline; no image, frame or media
    assert all(v.startswith("#") for t, k, v in attrs if k in ("href", "xlink:href", "action"))
    assert not re.search(r"url\(|@import|//[a-z0-9.-]+\.[a-z]{2,}/", report_html, flags=re.I)


def test_filter_boxes_point_at_tables_on_the_page():
    scored = synth_reviews({f"P{i:02d}": [("2024-01", 40, 4)] for i in range(15)})
    page = _page(build_report(scored, aspects=synth_aspects(scored, {f"P{i:02d}": {"staff": (20, 0, 5)} for i in range(15)})))
    ids = {a.get("id") for _, a in page.tags}
    filters = [a["data-filter"] for t, a in page.tags if t == "input" and "data-filter" in a]
    assert filters and all(f in ids for f in filters)


# --------------------------------------------------------------------------- the aspect matrix


def _cells(html: str, product: str) -> list[str]:
    row = re.search(rf'<tr data-search="{re.escape(product)}">(.*?)</tr>', html, flags=re.S)
    assert row, product
    return re.findall(r'<td class="cell[^"]*"[^>]*>.*?</td>', row.group(1), flags=re.S)


def test_matrix_greys_cells_with_too_few_mentions():
    scored = synth_reviews({"H1": [("2024-01", 100, 20)], "H2": [("2024-01", 100, 20)]})
    aspects = synth_aspects(
        scored, {"H1": {"noise": (0, 0, 5), "staff": (30, 0, 10)}, "H2": {"noise": (20, 0, 20), "staff": (3, 0, 1)}}
    )
    html = build_report(scored, aspects=aspects)
    h1, h2 = _cells(html, "H1"), _cells(html, "H2")
    # columns: the most mentioned aspect first (noise 45, staff 44)
    noise_h1, staff_h1 = h1
    noise_h2, staff_h2 = h2
    assert "c-thin" in noise_h1 and ">5건<" in noise_h1 and "−1.00" not in noise_h1.split("title=")[0]
    assert "c-thin" in staff_h2 and "4건" in staff_h2
    assert "c-p3" in staff_h1 and "+0.50" in staff_h1  # 30 positive, 10 negative: net 0.5 (the ≥ 0.5 bin)
    assert "c-z0" in noise_h2 and ">0.00<" in noise_h2 and "+0.00" not in noise_h2  # zero has no sign
    assert "참고용" in noise_h1  # the tooltip says why it is grey
    # the documented minimum moves with the rule
    html_low = build_report(scored, aspects=aspects, rules=FindingRules(min_mentions=5))
    assert "c-n3" in _cells(html_low, "H1")[0]


def test_matrix_marks_a_product_below_its_peers():
    scored = synth_reviews({"H1": [("2024-01", 200, 40)], "H2": [("2024-01", 200, 20)], "H3": [("2024-01", 200, 20)]})
    aspects = synth_aspects(scored, {"H1": {"noise": (2, 0, 38)}, "H2": {"noise": (35, 0, 5)}, "H3": {"noise": (36, 0, 4)}})
    html = build_report(scored, aspects=aspects)
    (noise_h1,) = _cells(html, "H1")
    assert 'class="mark down" href="#finding-' in noise_h1
    anchor = re.search(r'href="#(finding-\d+)"', noise_h1).group(1)
    assert f'id="{anchor}"' in html


# --------------------------------------------------------------------------- display names by domain


@pytest.mark.parametrize(
    ("domains", "name"),
    [("lodging", "재방문"), ("food", "재방문"), ("shopping", "재구매"), ("app", "재이용"), ("film", "재관람"), ("cosmetics", "재구매"), (None, "재구매"),
     (["lodging", "food"], "재방문"), (["lodging", "shopping"], "재구매·재방문"), (["app", "film", "shopping"], "재구매·재이용 등")],
)  # fmt: skip
def test_intent_names_follow_the_domain(domains, name):
    assert intent_names(domains)["repurchase"] == name


def _with_repurchase(domain: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    scored = synth_reviews({"H1": [("2024-01", 60, 5)]})
    scored.loc[scored.index[10:40], "intent"] = "repurchase"
    return scored, synth_aspects(scored, {"H1": {"staff": (30, 0, 0)}}, domain=domain or "lodging")


@pytest.mark.parametrize(
    ("domain", "shown", "hidden"),
    [("lodging", "재방문", "재구매"), ("food", "재방문", "재구매"), ("shopping", "재구매", "재방문")],
)
def test_report_names_intent_for_the_domain_of_the_aspects(domain, shown, hidden):
    scored, aspects = _with_repurchase(domain)
    html = build_report(scored, aspects=aspects)
    assert shown in html and hidden not in html


def test_domain_option_overrides_and_works_without_aspects():
    scored, aspects = _with_repurchase("shopping")
    assert "재방문" in build_report(scored, aspects=aspects, domain="lodging")
    assert "재방문" in build_report(scored, domain="food")
    html = build_report(scored)
    assert "재구매" in html and "재방문" not in html


def test_header_counts_products_per_domain_when_there_are_several():
    scored = synth_reviews({"H1": [("2024-01", 30, 2)], "H2": [("2024-01", 30, 2)], "S1": [("2024-01", 30, 2)]})
    hotels = synth_aspects(scored[scored["product_id"] != "S1"], {"H1": {"staff": (5, 0, 0)}, "H2": {"staff": (5, 0, 0)}})
    shop = synth_aspects(scored[scored["product_id"] == "S1"], {"S1": {"staff": (5, 0, 0)}}, domain="shopping")
    header = build_report(scored, aspects=pd.concat([hotels, shop], ignore_index=True)).split("</header>")[0]
    assert "분야(제품 수) 숙박 2, 쇼핑 1" in " ".join(re.sub(r"<[^>]+>", " ", header).split())
    one = build_report(scored, aspects=hotels).split("</header>")[0]
    assert "분야 숙박" in one and "제품 수" not in one


# --------------------------------------------------------------------------- high rating, but a complaint


def test_high_rating_reviews_with_a_complaint():
    scored = synth_reviews({"H1": [("2024-01", 50, 0)]})  # all 5 stars
    aspects = synth_aspects(scored, {"H1": {"breakfast": (0, 0, 6), "staff": (20, 0, 0)}})
    html = build_report(scored, aspects=aspects)
    section = html[html.index('id="high-rating"') : html.index('id="trend"')]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "4–5★ 리뷰 50건 중 6건(12%" in text
    assert "조식 6건" in text
    assert section.count('<tr><td class="num">') == 6  # one row per complaint clause


@pytest.mark.parametrize(("ratings", "cut"), [([1, 3, 5], 4.0), ([2, 7, 10], 8.0), ([10, 55, 90], 80.0), ([], None)])
def test_rating_scale(ratings, cut):
    th = rating_threshold(pd.Series(ratings, dtype=float))
    assert (th[0] if th else None) == cut
