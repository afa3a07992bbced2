"""The shared contract is defined once: every stage's label sets and file names are nlp.schema's own objects."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pandas as pd
import pytest

from nlp import schema
from nlp.io.tables import InputError

NLP = Path(schema.__file__).parent

# (module, attribute) pairs that hand the labels to their users; each must be schema's object
LABEL_EXPORTS = [
    ("nlp.scoring", "SENTIMENT_LABELS"),
    ("nlp.scoring", "INTENT_LABELS"),
    ("nlp.scoring.scorer", "SENTIMENT_LABELS"),
    ("nlp.scoring.scorer", "INTENT_LABELS"),
    ("nlp.modeling.intent", "INTENT_LABELS"),
    ("nlp.modeling.sentiment_data", "SENTIMENT_LABELS"),
    ("nlp.trends", "SENTIMENT_LABELS"),
    ("nlp.trends", "INTENT_LABELS"),
    ("nlp.trends.features", "SENTIMENT_LABELS"),
    ("nlp.trends.features", "INTENT_LABELS"),
    ("nlp.topics.summary", "SENTIMENT_LABELS"),
    ("nlp.topics.summary", "INTENT_LABELS"),
    ("nlp.report.data", "SENTIMENT_LABELS"),
    ("nlp.report.data", "INTENT_LABELS"),
]


@pytest.mark.parametrize(("module", "name"), LABEL_EXPORTS)
def test_label_sets_are_schemas_own_objects(module, name):
    assert getattr(importlib.import_module(module), name) is getattr(schema, name)


def test_label_sets_are_immutable_and_as_the_guideline_says():
    assert schema.SENTIMENT_LABELS == ("negative", "neutral", "positive")
    assert schema.INTENT_LABELS == ("none", "consider", "intent", "repurchase", "recommend", "avoid")
    assert schema.LABEL_SETS == {"sentiment": schema.SENTIMENT_LABELS, "intent": schema.INTENT_LABELS}
    assert schema.INTENT_PROB_COLS == tuple(f"intent_{label}" for label in schema.INTENT_LABELS)


def _string_sequences(tree: ast.AST):
    """Every list/tuple/set literal made only of strings, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and node.elts:
            if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                yield node.lineno, tuple(e.value for e in node.elts)


def test_no_module_spells_out_a_label_set_again():
    """A new copy (a literal list of all the labels) anywhere in the package but schema fails here."""
    copies = []
    for path in sorted(NLP.rglob("*.py")):
        if path.name == "schema.py" and path.parent == NLP:
            continue
        for line, values in _string_sequences(ast.parse(path.read_text(encoding="utf-8"))):
            for name in ("SENTIMENT_LABELS", "INTENT_LABELS"):
                if sorted(values) == sorted(getattr(schema, name)):
                    copies.append(f"{path.relative_to(NLP.parent)}:{line} repeats {name}")
    assert not copies, copies


def test_topics_file_names_come_from_schema():
    from nlp.topics import table

    for name in ("DOC_TOPICS_FILE", "TOPICS_FILE", "TOPICS_BY_PRODUCT_FILE", "TOPICS_BY_PERIOD_FILE", "TOPIC_MODEL_DIR"):
        assert getattr(table, name) is getattr(schema, name)


def test_one_topics_loader_per_return_shape():
    import nlp.report
    import nlp.report.build
    import nlp.report.data
    import nlp.trends.table

    for module in (nlp.report, nlp.report.build, nlp.report.data, nlp.trends.table):
        assert not hasattr(module, "load_topics"), module.__name__


@pytest.fixture
def topics_dir(tmp_path):
    d = tmp_path / "topics"
    d.mkdir()
    pd.DataFrame({"id": ["a", "b"], "topic": [0, -1], "topic_prob": [0.9, 0.0]}).to_parquet(d / schema.DOC_TOPICS_FILE)
    pd.DataFrame({"topic": [-1, 0], "size": [1, 1], "label": ["outliers", "배송"]}).to_parquet(d / schema.TOPICS_FILE)
    return d


def test_load_topic_tables_and_load_doc_topics(topics_dir):
    doc_topics, topics = schema.load_topic_tables(topics_dir)
    assert doc_topics["id"].tolist() == ["a", "b"] and topics["label"].tolist() == ["outliers", "배송"]
    doc_topics, labels = schema.load_doc_topics(topics_dir)
    assert doc_topics["topic"].tolist() == [0, -1] and labels == {-1: "outliers", 0: "배송"}
    (topics_dir / schema.TOPICS_FILE).unlink()
    assert schema.load_doc_topics(topics_dir)[1] == {}  # the labels are optional for trends
    with pytest.raises(InputError, match=r"has no topics\.parquet"):
        schema.load_topic_tables(topics_dir)  # but the report needs the table


def test_loaders_name_what_is_missing(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        schema.load_doc_topics(tmp_path / "nope")
    with pytest.raises(InputError, match=r"has no doc_topics\.parquet .*found: nothing"):
        schema.load_doc_topics(tmp_path)
