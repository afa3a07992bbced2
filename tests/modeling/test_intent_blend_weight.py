"""The intent product's char-model weight: validated before anything is loaded."""

import pytest

from nlp.modeling.intent import fit_intent_blend


@pytest.mark.parametrize("w", [0.0, 1.0, -0.2, 1.5])
def test_char_weight_outside_zero_one_is_refused(tmp_path, w):
    with pytest.raises(ValueError, match="char_weight"):
        fit_intent_blend(tmp_path, char_weight=w)
