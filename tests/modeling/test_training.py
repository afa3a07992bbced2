"""Training on a tiny model: soft multi-task targets, checkpoints, resume, persistence."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.artifacts.encoder import EncoderConfig, MultiTaskEncoder
from nlp.artifacts.sparse import CharTfidfClassifier
from nlp.modeling.intent_rules import rule_label
from nlp.modeling.metrics import classification_report, expected_calibration_error
from nlp.modeling.sentiment_data import RATING_TARGETS, film_split, rating_targets
from nlp.modeling.train import TrainConfig, length_buckets, train

TEXTS = ["좋아요 최고", "별로예요 최악", "그냥 그래요", "재구매 할게요", "환불했어요"] * 4


def _model(tiny_model_dir):
    import json

    base = json.loads((tiny_model_dir / "config.json").read_text())["base"]
    return MultiTaskEncoder(EncoderConfig(base=base, num_layers=2, max_length=32, tasks={"sentiment": ["negative", "neutral", "positive"], "intent": ["none", "repurchase", "avoid"]}, lora_r=4, lora_alpha=8))


def test_multitask_training_resumes_identically(tiny_model_dir, tmp_path):
    import torch

    n = len(TEXTS)
    sent = rating_targets(np.array([10, 1, 5, 9, 2] * 4))
    intent = np.full((n, 3), np.nan, dtype=np.float32)
    intent[3::5] = [0, 1, 0]
    intent[4::5] = [0, 0, 1]
    targets = {"sentiment": sent, "intent": intent}
    cfg = TrainConfig(batch_size=4, lr=5e-3, epochs=1.0, checkpoint_every=2, threads=1)
    torch.manual_seed(0)
    a = train(_model(tiny_model_dir), TEXTS, targets, tmp_path / "a", cfg, show_progress_bar=False)
    # stop after 2 steps, then resume
    torch.manual_seed(0)
    b = _model(tiny_model_dir)
    stop = TrainConfig(batch_size=4, lr=5e-3, epochs=1.0, checkpoint_every=2, threads=1, max_minutes=1e-9)  # stops after one step
    (tmp_path / "b").mkdir()
    train(b, TEXTS, targets, tmp_path / "b", stop, show_progress_bar=False)
    assert (tmp_path / "b" / "checkpoint" / "state.json").exists()
    torch.manual_seed(0)
    b2 = _model(tiny_model_dir)
    train(b2, TEXTS, targets, tmp_path / "b", cfg, show_progress_bar=False)
    sa, sb = a.trainable_state(), b2.trainable_state()
    assert sa.keys() == sb.keys()
    assert max(float((sa[k] - sb[k]).abs().max()) for k in sa) < 1e-4


def test_save_load_round_trip(tiny_model_dir, tmp_path):
    import torch

    m = _model(tiny_model_dir)
    m.add_lora()
    m.eval()
    batch = m.tokenize(["좋아요"])
    with torch.inference_mode():
        before = m(batch)[1]["sentiment"]
    m.save(tmp_path / "m")
    loaded, cfg = MultiTaskEncoder.load(tmp_path / "m")
    with torch.inference_mode():
        after = loaded(loaded.tokenize(["좋아요"]))[1]["sentiment"]
    assert torch.allclose(before, after, atol=1e-5)
    assert not list((tmp_path / "m").glob("*.bin")) and not list((tmp_path / "m").glob("*.pt"))


def test_config_validation():
    with pytest.raises(ValueError, match="num_layers"):
        EncoderConfig(num_layers=0)
    with pytest.raises(ValueError, match="distinct labels"):
        EncoderConfig(tasks={"x": ["a", "a"]})


def test_length_buckets_cover_every_index_once():
    lengths = [3, 50, 4, 49, 10, 11, 2]
    batches = length_buckets(lengths, 2, seed=1)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))


def test_rating_targets_and_film_split():
    assert rating_targets(np.array([10]))[0].tolist() == list(RATING_TARGETS[10])
    assert rating_targets(np.array([5]), scale=5)[0].tolist() == list(RATING_TARGETS[10])
    import pandas as pd

    m = film_split(pd.Series([1, 1, 2, 2, 3]), 0.5)
    assert m[0] == m[1] and m[2] == m[3]


def test_sparse_multiclass_save_load_keeps_columns(tmp_path):
    texts = ["좋아요 최고", "별로 최악", "그냥 보통", "최고 강추", "최악 비추", "보통 그럭저럭"] * 5
    labels = ["positive", "negative", "neutral"] * 10
    clf = CharTfidfClassifier(max_features=300, min_df=1).fit(texts, labels)
    clf.save(tmp_path)
    back = CharTfidfClassifier.load(tmp_path)
    assert np.allclose(clf.predict_proba(texts), back.predict_proba(texts), atol=1e-5)


def test_sparse_model_save_load(tmp_path):
    clf = CharTfidfClassifier(max_features=500).fit(["좋아요", "별로", "최고예요", "최악"], ["positive", "negative", "positive", "negative"])
    clf.save(tmp_path, prefix="s_")
    back = CharTfidfClassifier.load(tmp_path, prefix="s_")
    assert np.allclose(clf.predict_proba(["좋아요"]), back.predict_proba(["좋아요"]))
    with pytest.raises(RuntimeError, match="not fitted"):
        CharTfidfClassifier().predict(["x"])


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("재구매 의사 있어요 강추", "repurchase"),
        ("사이즈 추천 부탁드려요", "consider"),
        ("반품했어요 비추합니다", "avoid"),
        ("장바구니에 담았어요", "intent"),
        ("꼭 보세요 강추", "recommend"),
        ("색이 예뻐요", "none"),
    ],
)
def test_keyword_rules(text, label):
    assert rule_label(text) == label


def test_metrics():
    r = classification_report(["a", "b", "a"], ["a", "a", "a"], ["a", "b"])
    assert r["accuracy"] == pytest.approx(2 / 3) and r["confusion"]["matrix"] == [[2, 0], [1, 0]]
    assert expected_calibration_error(np.array([[1.0, 0.0]]), np.array([0])) == 0.0


def test_device_option_is_validated():
    from nlp.modeling.train import TrainConfig, _resolve_device

    with pytest.raises(ValueError, match="device must be"):
        TrainConfig(device="tpu")
    assert _resolve_device("cpu").type == "cpu"
    assert _resolve_device("auto").type in ("cpu", "cuda")


def test_extra_intent_rows_join_train_only(tmp_path):
    import pandas as pd

    from nlp.modeling.intent import load_gold

    gold = pd.DataFrame(
        {"id": ["a", "b", "c"], "source": "x", "domain": "d", "channel": "review", "text": ["또 살게요", "사야겠다", "별로"], "label": ["repurchase", "intent", "none"], "split": ["train", "dev", "test"]}
    )
    gold.to_csv(tmp_path / "gold.csv", index=False)
    extra = pd.DataFrame(
        {"id": ["e1", "b", "e3"], "source": "x", "domain": "d", "channel": "review", "text": ["환불했어요", "dup id", "별로"], "label": ["avoid", "none", "none"], "pick": "written"}
    )
    extra.to_csv(tmp_path / "extra_train.csv", index=False)
    out = load_gold(tmp_path)
    # e1 joins train; 'b' (an id already in gold) and '별로' (a dev/test text) are dropped so nothing leaks
    assert out["split"].value_counts().to_dict() == {"train": 2, "dev": 1, "test": 1}
    assert set(out[out["split"] == "train"]["id"]) == {"a", "e1"}


def test_every_extra_intent_file_joins_and_bad_labels_are_refused(tmp_path):
    import pandas as pd
    import pytest

    from nlp.modeling.intent import load_gold

    cols = {"source": "x", "domain": "d", "channel": "review"}
    pd.DataFrame({"id": ["a", "b"], **cols, "text": ["또 살게요", "별로"], "label": ["repurchase", "none"], "split": ["train", "test"]}).to_csv(tmp_path / "gold.csv", index=False)
    pd.DataFrame({"id": ["e1"], **cols, "text": ["환불했어요"], "label": ["avoid"]}).to_csv(tmp_path / "extra_train.csv", index=False)
    # a second file: its new row joins, the text already in the first extra file does not count twice
    pd.DataFrame({"id": ["f1", "f2"], **cols, "text": ["보러 갈게요", "환불했어요"], "label": ["intent", "avoid"]}).to_csv(tmp_path / "extra_train_2.csv", index=False)
    out = load_gold(tmp_path)
    assert sorted(out[out["split"] == "train"]["id"]) == ["a", "e1", "f1"]
    pd.DataFrame({"id": ["g1"], **cols, "text": ["음"], "label": ["maybe"]}).to_csv(tmp_path / "extra_train_3.csv", index=False)
    with pytest.raises(ValueError, match="maybe"):
        load_gold(tmp_path)
    pd.DataFrame({"id": ["g1", "g2"], **cols, "text": ["음", "흠"], "label": ["none", None]}).to_csv(tmp_path / "extra_train_3.csv", index=False)
    with pytest.raises(ValueError, match="<empty>"):  # an unlabelled row is named, not a TypeError
        load_gold(tmp_path)


def test_numpy_tokenizer_matches_the_hf_call(tiny_model_dir):
    m = _model(tiny_model_dir)
    texts = ["좋아요 최고", "", "배송 " * 40, "Great product 😊 ㅋㅋ", "재구매 할게요"]  # empty, truncated, mixed script
    a, b = m.tokenize(texts), m.pad_ids(m.encode_ids(texts))
    assert b["input_ids"].dtype == np.int64 and b["input_ids"].shape[1] == m.config.max_length
    for k in ("input_ids", "attention_mask"):
        assert np.array_equal(a[k].numpy(), b[k])
    one = m.pad_ids(m.encode_ids(["좋아요"]))
    assert np.array_equal(one["input_ids"], m.tokenize(["좋아요"])["input_ids"].numpy())  # no padding state leaks between calls


def test_sparse_shared_ngrams_give_the_same_probabilities(tmp_path):
    texts = ["배송 빨라요 좋아요", "별로예요 환불", "그냥 그래요", "재구매 할게요 최고"] * 5
    labels = ["positive", "negative", "neutral", "positive"] * 5
    a = CharTfidfClassifier(max_features=300).fit(texts, labels)
    b = CharTfidfClassifier(max_features=50, C=4.0).fit(texts, labels)
    b.save(tmp_path, prefix="b_")
    b = CharTfidfClassifier.load(tmp_path, prefix="b_")  # a loaded model (fixed vocabulary) too
    assert a.analysis_key() == b.analysis_key()
    new = ["배송 빨라요", "최악 환불", "", "처음 보는 글자 뷁"]
    grams = a.analyse(new)
    for m in (a, b):
        assert np.allclose(m.predict_proba(new, ngrams=grams), m.predict_proba(new), atol=1e-6)


def test_sparse_tfidf_from_shared_ngrams_equals_sklearn_transform():
    """The vectorised n-gram lookup gives sklearn's matrix: repeated, unknown and empty inputs included."""
    from nlp.artifacts.sparse import CharTfidfClassifier, NgramBatch

    train = ["좋아요 최고", "별로 최악", "좋아요 좋아요", "최악이에요 환불", "배송 빨라요", "배송 느려요"] * 3
    clf = CharTfidfClassifier(max_features=50, min_df=1).fit(train, ["p", "n", "p", "n", "p", "n"] * 3)
    texts = ["좋아요 좋아요 좋아요", "", "zzz 처음 보는 글자 뷁", "배송 최악 ㅠㅠ"]
    batch = clf.analyse(texts)
    assert isinstance(batch, NgramBatch) and len(batch) == 4
    got = clf._tfidf(batch)
    want = clf.vectorizer_.transform(texts)
    assert got.shape == want.shape and abs(got - want).max() == 0
    np.testing.assert_allclose(clf.predict_proba(texts, ngrams=batch), clf.predict_proba(texts))


@pytest.mark.parametrize("labels", [["p", "n", "p", "n", "p", "n"], ["p", "n", "o", "n", "p", "o"]], ids=["two classes", "three classes"])
def test_a_loaded_char_model_scores_as_scikit_learn_without_importing_it(tmp_path, labels):
    """Loaded, the model scores with NumPy/SciPy alone: the same n-grams, weights and probabilities as
    scikit-learn's vectoriser and logistic regression, and a fresh process that loads and scores it
    never imports scikit-learn."""
    import subprocess
    import sys

    from nlp.artifacts.sparse import CharTfidfClassifier

    train = ["좋아요 최고", "별로 최악", "그냥 그래요", "최악이에요  환불", "배송 빨라요", "Nice 배송 느려요"] * 3
    fitted = CharTfidfClassifier(max_features=80, min_df=1).fit(train, labels * 3)
    fitted.save(tmp_path, prefix="m_")
    loaded = CharTfidfClassifier.load(tmp_path, prefix="m_")
    texts = ["좋아요 좋아요 좋아요", "", "zzz 처음 보는 글자 뷁", "배송   최악 ㅠㅠ", "NICE\t배송"]
    for t in texts:
        assert loaded._ngrams(t) == fitted.vectorizer_.build_analyzer()(t)
    assert abs(loaded._tfidf(loaded.analyse(texts)) - fitted.vectorizer_.transform(texts)).max() == 0
    # the loaded weights are the saved float32 ones: scikit-learn with those weights gives the same probabilities
    lr = fitted.lr_
    lr.coef_, lr.intercept_ = loaded.coef_, loaded.intercept_
    np.testing.assert_allclose(loaded.predict_proba(texts), lr.predict_proba(fitted.vectorizer_.transform(texts)), rtol=0, atol=1e-12)
    code = (
        "import sys; from nlp.artifacts.sparse import CharTfidfClassifier as C; "
        f"m = C.load({str(tmp_path)!r}, prefix='m_'); m.predict_proba(['좋아요']); print('sklearn' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
