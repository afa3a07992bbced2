"""TopicModel: fit / transform / save / reload with injected embeddings (no encoder, no UMAP)."""

from __future__ import annotations

import copy
import json
import zlib

import numpy as np
import pytest

from nlp.topics.model import TOPIC_CONFIG_NAME, NotFittedError, TopicModel, make_label

ASPECTS = {
    "배송": ["배송이 빨라요", "택배가 하루만에 왔어요", "출고가 늦어요", "배송 느려요 택배사 연락 없음", "도착이 빨랐어요"],
    "사이즈": [
        "사이즈가 커요",
        "핏이 예뻐요 사이즈 정사이즈",
        "어깨가 좁아요 사이즈 작아요",
        "치수가 딱 맞아요",
        "사이즈 교환했어요",
    ],
    "조식": [
        "조식이 맛있어요",
        "아침 뷔페 가짓수가 많아요",
        "조식 빵이 맛있어요",
        "커피가 맛있어요 조식 최고",
        "조식 메뉴가 별로",
    ],
}


class FakeEmbedder:
    """Deterministic embeddings: one direction per aspect word found in the text, plus hashed noise."""

    def __init__(self, dim: int = 24) -> None:
        self.dim = dim
        self.calls = 0
        rng = np.random.default_rng(7)
        self.axes = {k: rng.normal(size=dim) for k in ASPECTS}
        self.cues = {
            "배송": ("배송", "택배", "출고", "도착"),
            "사이즈": ("사이즈", "핏", "어깨", "치수"),
            "조식": ("조식", "아침", "뷔페", "빵", "커피"),
        }

    def encode(self, texts, **kwargs) -> np.ndarray:
        self.calls += 1
        out = []
        for t in texts:
            v = np.random.default_rng(zlib.crc32(t.encode())).normal(scale=0.15, size=self.dim)
            for k, cues in self.cues.items():
                if any(c in t for c in cues):
                    v = v + self.axes[k]
            out.append(v)
        return np.asarray(out, dtype=np.float32)


def corpus(repeats: int = 3) -> tuple[list[str], list[str]]:
    docs, gold = [], []
    for r in range(repeats):
        for aspect, texts in ASPECTS.items():
            for t in texts:
                docs.append(f"{t} {'ㅎㅎ' * (r % 2)} {r}".strip())
                gold.append(aspect)
    return docs, gold


@pytest.fixture(scope="module")
def fitted() -> tuple[TopicModel, list[str], list[str], np.ndarray]:
    docs, gold = corpus()
    emb = FakeEmbedder().encode(docs)
    model = TopicModel(FakeEmbedder(), min_topic_size=5, n_components=None, seed=1).fit(docs, emb)
    return model, docs, gold, emb


@pytest.fixture
def model(fitted):
    return copy.deepcopy(fitted[0])


def test_fit_finds_the_aspects(fitted) -> None:
    model, docs, gold, _ = fitted
    assert len(model.topic_ids_) == 3
    assert len(model.topics_) == len(docs)
    for t in model.topic_ids_:
        members = {g for g, tt in zip(gold, model.topics_) if tt == t}
        assert len(members) == 1, f"topic {t} mixes {members}"
    labels = " ".join(model.labels_.values())
    for word in ("배송", "사이즈", "조식"):
        assert word in labels
    # keywords are stems, never words with particles or endings
    words = {k for kws in model.keywords_.values() for k in kws}
    assert {"배송", "택배", "사이즈", "조식"} <= words
    assert not words & {"배송이", "사이즈가", "조식이", "맛있어요", "빨라요"}
    assert sum(model.topic_sizes_.values()) == len(docs)
    assert np.all((model.probabilities_ >= 0) & (model.probabilities_ <= 1))


def test_representatives_are_members(fitted) -> None:
    model, docs, _, _ = fitted
    for t, idx in model.representative_docs_.items():
        assert 1 <= len(idx) <= 5
        assert all(model.topics_[i] == t for i in idx)


def test_injected_embeddings_are_not_recomputed(fitted) -> None:
    model, docs, _, emb = fitted
    embedder = model.embedder
    calls = embedder.model.calls
    topics, probs = model.transform(docs, emb)
    assert embedder.model.calls == calls
    topics2, _ = model.transform(docs)  # remembered from fit: still no encoder call
    assert embedder.model.calls == calls
    assert (topics == topics2).all()
    agree = (topics == model.topics_)[model.topics_ != -1].mean()
    assert agree > 0.9


def test_transform_new_text_calls_the_embedder(model) -> None:
    calls = model.embedder.model.calls
    topic = int(model.predict(["택배가 빨리 왔어요 배송 만족"])[0])
    assert model.embedder.model.calls == calls + 1
    delivery = next(t for t, kws in model.keywords_.items() if "택배" in kws)
    assert topic == delivery


def test_save_and_reload_round_trip(model, tmp_path) -> None:
    docs, _ = corpus()
    emb = FakeEmbedder().encode(docs)
    before = model.transform(docs, emb)
    path = model.save(tmp_path / "model")
    assert (path / "topic_embeddings.safetensors").is_file()
    assert (path / TOPIC_CONFIG_NAME).is_file()
    assert (path / "README.md").read_text(encoding="utf-8").startswith("# nlp-insight topic model")
    assert not list(path.glob("*.pkl")) and not list(path.glob("*.pickle"))
    cfg = json.loads((path / TOPIC_CONFIG_NAME).read_text(encoding="utf-8"))
    assert cfg["embedding_source"] == "<injected>" and cfg["embedding_model"] is None

    loaded = TopicModel.load(path, embedding_model=FakeEmbedder())
    after = loaded.transform(docs, emb)
    assert (before[0] == after[0]).all()
    np.testing.assert_allclose(before[1], after[1], atol=1e-5)
    assert loaded.keywords_ == model.keywords_
    assert loaded.labels_ == model.labels_
    assert loaded.get_params() == model.get_params()
    # the BERTopic inside reloads with our labels and keywords
    info = loaded.bertopic_.get_topic_info()
    assert set(model.labels_.values()) <= set(info["CustomName"])


def test_unfitted_model_says_so() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        TopicModel().transform(["배송"], np.zeros((1, 4)))


def test_wrong_embedding_shape(fitted) -> None:
    _, docs, _, emb = fitted
    with pytest.raises(ValueError, match="one row per document"):
        TopicModel(FakeEmbedder(), n_components=None).fit(docs, emb[:-1])


def test_too_few_documents() -> None:
    with pytest.raises(ValueError, match="too few"):
        TopicModel(FakeEmbedder(), min_topic_size=5, n_components=None).fit(["배송 빨라요"] * 4, np.ones((4, 3)))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"nr_topics": 1}, "nr_topics"),
        ({"representation": "gpt"}, "representation"),
        ({"noise_domains": ("cars",)}, "noise domain"),
        ({"outlier_quantile": 1.0}, "outlier_quantile"),
    ],
)
def test_invalid_options(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        TopicModel(**kwargs)


def test_nr_topics_merges(fitted) -> None:
    _, docs, _, emb = fitted
    model = TopicModel(FakeEmbedder(), min_topic_size=5, n_components=None, nr_topics=2).fit(docs, emb)
    assert len(model.topic_ids_) == 2


def test_make_label() -> None:
    assert make_label(["배송", "빠르다", "배송 빠르다", "택배"]) == "배송 · 빠르다 · 택배"
    assert make_label([]) == "(no keywords)"


def test_giant_topic_falls_back_to_leaf_clusters(tmp_path) -> None:
    """eom can select one cluster for almost everything; "auto" then re-clusters with leaf clusters."""
    rng = np.random.default_rng(0)
    diffuse = rng.normal([1, 0, 0], 0.25, (200, 3))  # no stable sub-cluster: eom keeps it whole
    tight = rng.normal([0, 1, 0], 0.02, (20, 3))
    emb = np.vstack([diffuse, tight]).astype(np.float32)
    docs = [f"배송 가격 리뷰 {i}" if i < 200 else f"조식 맛있어요 {i}" for i in range(220)]
    kw = {"n_components": None, "min_topic_size": 10, "reduce_outliers": False, "max_topic_share": None}
    eom = TopicModel(FakeEmbedder(), cluster_selection="eom", **kw).fit(docs, emb)
    assert eom.cluster_selection_ == "eom" and max(eom.topic_sizes_.values()) == 200
    auto = TopicModel(FakeEmbedder(), **kw).fit(docs, emb)
    assert auto.cluster_selection_ == "leaf"
    sizes = {t: s for t, s in auto.topic_sizes_.items() if t != -1}
    assert len(sizes) >= 3 and max(sizes.values()) <= 0.5 * len(docs)
    assert auto.get_params()["cluster_selection"] == "auto"
    assert TopicModel.load(auto.save(tmp_path / "m")).cluster_selection_ == "leaf"
    with pytest.raises(ValueError, match="cluster_selection"):
        TopicModel(FakeEmbedder(), cluster_selection="tree")


GENERIC_DOCS = ["좋아요", "최고예요 ㅎㅎ", "ㅋㅋㅋ", "만족합니다 감사합니다", "^^", "또 올게요 번창하세요"]


def test_generic_reviews_form_one_group(tmp_path) -> None:
    from nlp.topics.generic import GENERIC_LABEL, GENERIC_TOPIC

    docs, _ = corpus()
    docs = docs + GENERIC_DOCS
    emb = FakeEmbedder().encode(docs)
    model = TopicModel(FakeEmbedder(), min_topic_size=5, n_components=None, seed=1).fit(docs, emb)
    assert (model.topics_[-len(GENERIC_DOCS):] == GENERIC_TOPIC).all()
    assert (model.topics_[: -len(GENERIC_DOCS)] != GENERIC_TOPIC).all()
    assert model.topic_sizes_[GENERIC_TOPIC] == len(GENERIC_DOCS)
    assert model.labels_[GENERIC_TOPIC] == GENERIC_LABEL
    assert "좋다" in model.keywords_[GENERIC_TOPIC]
    assert all(model.topics_[i] == GENERIC_TOPIC for i in model.representative_docs_[GENERIC_TOPIC])
    assert len(model.topic_ids_) == 3  # the group is not a clustered topic
    topics, probs = model.transform(["좋아요 ㅎㅎ", "배송이 빨라요"])
    assert topics[0] == GENERIC_TOPIC and probs[0] == 1.0 and topics[1] >= 0
    loaded = TopicModel.load(model.save(tmp_path / "m"), embedding_model=FakeEmbedder())
    assert loaded.transform(["좋아요 ㅎㅎ"])[0][0] == GENERIC_TOPIC
    assert loaded.labels_[GENERIC_TOPIC] == GENERIC_LABEL
    off = TopicModel(FakeEmbedder(), min_topic_size=5, n_components=None, seed=1, generic_group=False).fit(docs, emb)
    assert GENERIC_TOPIC not in off.topic_sizes_


class RecordingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts, **kwargs) -> np.ndarray:
        self.seen.extend(texts)
        return super().encode(texts, **kwargs)


def test_product_names_do_not_define_topics() -> None:
    """Every breakfast review names one hotel and every delivery review another: without names they label the topics."""
    docs, _ = corpus()
    hotel = {"조식": "한빛호텔 마포", "배송": "노보텔 용산", "사이즈": ""}
    named = []
    for d in docs:
        aspect = next(a for a, cues in FakeEmbedder().cues.items() if any(c in d for c in cues))
        named.append(f"{hotel[aspect]} {d}".strip())
    plain = TopicModel(RecordingEmbedder(), min_topic_size=5, n_components=None, seed=1).fit(named)
    words = {w for kws in plain.keywords_.values() for w in kws}
    assert {"마포", "용산"} & words  # the names are keywords when nobody says they are names
    embedder = RecordingEmbedder()
    model = TopicModel(embedder, min_topic_size=5, n_components=None, seed=1, names=["한빛호텔 마포", "노보텔 용산"]).fit(named)
    words = {w for kws in model.keywords_.values() for w in kws for w in w.split()}
    assert not words & {"한빛호텔", "한빛", "마포", "노보텔", "용산"}
    assert not any(n in label for label in model.labels_.values() for n in ("마포", "용산", "노보텔"))
    assert len(model.topic_ids_) == 3
    assert model.get_params()["names"] == ["노보텔 용산", "한빛호텔 마포"]
    assert not embedder.seen or any("용산" in t for t in embedder.seen)  # the encoder reads the names unless asked not to
    # asked to, the encoder sees them masked
    embedder = RecordingEmbedder()
    TopicModel(embedder, min_topic_size=5, n_components=None, seed=1, names=["한빛호텔 마포", "노보텔 용산"], mask_names=True).fit(named)
    assert embedder.seen and not any("용산" in t or "마포" in t for t in embedder.seen)
    assert any(t.startswith("OO ") for t in embedder.seen)


def test_merging_never_builds_a_catch_all() -> None:
    from nlp.topics.model import _merge_topics

    rng = np.random.default_rng(1)
    centres = np.eye(4, dtype=np.float32)
    centres[1] = [0.9, 0.1, 0, 0]  # topics 0 and 1 are the closest pair
    x = np.vstack([c + rng.normal(0, 0.01, (10, 4)) for c in centres]).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    topics = np.repeat(np.arange(4), 10)
    free = _merge_topics(x, topics, target=3, cap=40)
    assert len(set(free)) == 3 and free[0] == free[10]  # the closest pair merged
    capped = _merge_topics(x, topics, target=3, cap=15)
    assert (capped == topics).all()  # every merge would exceed 15 documents: none made
    with pytest.raises(ValueError, match="max_topic_share"):
        TopicModel(max_topic_share=1.5)


def test_asked_number_of_topics_wins_over_the_share_limit(fitted) -> None:
    _, docs, _, emb = fitted
    model = TopicModel(FakeEmbedder(), min_topic_size=5, n_components=None, nr_topics=2, max_topic_share=0.1).fit(docs, emb)
    assert len(model.topic_ids_) == 2


def test_a_catch_all_topic_is_split() -> None:
    rng = np.random.default_rng(0)
    diffuse = rng.normal([1, 0, 0], 0.25, (200, 3))  # eom keeps this whole: 91% of the documents
    tight = rng.normal([0, 1, 0], 0.02, (20, 3))
    emb = np.vstack([diffuse, tight]).astype(np.float32)
    docs = [f"배송 가격 리뷰 {i}" if i < 200 else f"조식 맛있어요 {i}" for i in range(220)]
    kw = {"n_components": None, "min_topic_size": 10, "cluster_selection": "eom", "nr_topics": None}
    whole = TopicModel(FakeEmbedder(), max_topic_share=None, **kw).fit(docs, emb)
    assert max(whole.topic_sizes_.values()) >= 200
    split = TopicModel(FakeEmbedder(), max_topic_share=0.3, **kw).fit(docs, emb)
    sizes = {t: s for t, s in split.topic_sizes_.items() if t >= 0}
    assert len(sizes) >= 3 and sum(split.topic_sizes_.values()) == 220
    assert split.topic_sizes_.get(-1, 0) <= whole.topic_sizes_.get(-1, 0)  # splitting adds no outliers


def test_exact_knn_matches_brute_force_and_puts_each_row_first():
    from nlp.topics.model import exact_knn

    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 16)).astype(np.float32)
    x[5] = x[4]  # an exact duplicate: the row itself must still come first
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    idx, dist = exact_knn(x, 7, block_cells=300 * 11)  # blocks of 11 rows
    sims = x @ x.T
    for i in (0, 4, 5, 123, 299):
        assert idx[i, 0] == i and dist[i, 0] == 0.0
        others = [j for j in np.argsort(-sims[i], kind="stable") if j != i][:6]
        assert set(idx[i, 1:]) == set(others)
        assert np.allclose(dist[i, 1:], 1.0 - sims[i, idx[i, 1:]], atol=1e-6)
        assert np.all(np.diff(dist[i]) >= -1e-7)  # nearest first
    idx2, dist2 = exact_knn(x, 7)  # one block: the same graph
    assert np.array_equal(idx, idx2) and np.allclose(dist, dist2)


def test_knn_option_is_checked_and_kept_in_the_parameters():
    with pytest.raises(ValueError, match="knn"):
        TopicModel(knn="fast")
    assert TopicModel(knn="approx").get_params()["knn"] == "approx"
    big = TopicModel()._precomputed_knn(np.eye(5000, 8, dtype=np.float32))
    assert big["precomputed_knn"][0].shape == (5000, 15)
    assert TopicModel(knn="approx")._precomputed_knn(np.eye(5000, 8, dtype=np.float32)) == {}
    # small tables get the exact graph too (UMAP's own small-data path calls a metric once per pair), unless
    # knn_min leaves them to UMAP
    assert TopicModel()._precomputed_knn(np.eye(100, 8, dtype=np.float32))["precomputed_knn"][0].shape == (100, 15)
    assert TopicModel(knn_min=4096)._precomputed_knn(np.eye(100, 8, dtype=np.float32)) == {}
    assert TopicModel(knn_min=4096).get_params()["knn_min"] == 4096
    with pytest.raises(ValueError, match="knn_min"):
        TopicModel(knn_min=-1)


def test_umap_compilation_is_kept_on_disk():
    # UMAP declares most of its Numba functions uncacheable: each process compiled them again
    import umap.umap_ as umap_module

    from nlp.topics.model import cache_umap_compilation

    cache_umap_compilation()
    assert type(umap_module.smooth_knn_dist._cache).__name__ != "NullCache"
