"""The text stage never crashes, whatever Unicode it gets."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.text.kiwi import KiwiTokenizer
from nlp.text.normalize import normalize
from nlp.text.pii import mask_pii
from nlp.text.pipeline import TextPreparer

_tok = KiwiTokenizer()
korean = st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=20)
anything = st.text(max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(anything, korean, st.none()), min_size=1, max_size=5))
def test_text_stage_total(texts):
    normed = normalize(texts)
    assert len(normed) == len(texts)
    assert all(isinstance(t, str) for t in normed)
    for t in normed:
        assert normalize(t) == t  # idempotent
    masked = mask_pii(normed)
    assert len(masked) == len(texts)
    prep = TextPreparer()(texts)
    assert len(prep.texts) == len(prep.flags) == len(texts)
    analyses = _tok.analyse(prep.texts)
    assert len(analyses) == len(texts)
    for a in analyses:
        assert all(m.form for m in a.morphemes)
