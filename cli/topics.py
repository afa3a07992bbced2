"""``nlp topics`` and ``nlp evaluate topics``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from nlp.cli._apps import evaluate_app
from nlp.cli._common import IdCol, ProductCol, RatingCol, TextCol, TimeCol, column_map, err_console, friendly_errors

NoiseOpt = Annotated[
    list[str] | None,
    typer.Option("--noise", help="drop a corpus kind's boilerplate words from keywords: shopping, hotel or film (repeatable)"),
]


@friendly_errors
def topics_cmd(
    scored: Annotated[str, typer.Argument(help="scored table from `nlp score` (CSV/TSV/JSONL/Parquet, or - for stdin)")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="output directory (doc_topics, topics, per product/period, model/)")
    ],
    text_col: TextCol = "text",
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
    nr_topics: Annotated[
        str, typer.Option("--nr-topics", help="none (keep what clustering finds), auto (merge above 30) or a number")
    ] = "auto",
    min_topic_size: Annotated[
        int | None, typer.Option("--min-topic-size", min=2, help="smallest topic (default: about 0.4·√rows, 5..50)")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="random seed (UMAP, and the fit sample)")] = 42,
    fit_sample: Annotated[
        int, typer.Option("--fit-sample", min=0, help="fit on at most this many texts (seeded sample); the rest go to the nearest topic. 0: all")
    ] = 50_000,
    model_dir: Annotated[
        Path | None,
        typer.Option(
            "--model-dir",
            help="encoder: a fine-tuned scorer, sentence-transformers or HF directory (default: base e5)",
        ),
    ] = None,
    embeddings: Annotated[
        Path | None,
        typer.Option(
            "--embeddings",
            help="precomputed embeddings: .npy in row order (nlp score --embeddings) or .parquet with an embedding column",
        ),
    ] = None,
    freq: Annotated[
        Literal["D", "W", "M"],
        typer.Option("--freq", help="period of topics_by_period: D, W (weeks from Monday) or M", case_sensitive=False),
    ] = "W",
    backend: Annotated[
        str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch (sentence-transformers); same embeddings, onnx ~2.5x faster")
    ] = "auto",
    int8: Annotated[bool, typer.Option("--int8", help="int8 topic encoder on ONNX Runtime: ~2.3x faster embedding (evaluation in docs/topics.md)")] = False,
    cluster_selection: Annotated[
        Literal["auto", "eom", "leaf"],
        typer.Option(
            "--cluster-selection",
            help="HDBSCAN selection: eom, leaf, or auto (eom; leaf when one topic would hold over half the texts)",
        ),
    ] = "auto",
    keep_outliers: Annotated[
        bool,
        typer.Option(
            "--keep-outliers",
            help="leave HDBSCAN's outliers unassigned (topic -1) instead of joining them to a near topic: purer topics, more unassigned rows (docs/topics.md)",
        ),
    ] = False,
    umap_dims: Annotated[int | None, typer.Option("--umap-dims", min=2, help="UMAP dimensions before clustering (default 5)")] = None,
    representation: Annotated[
        Literal["ctfidf", "mmr", "keybert"],
        typer.Option("--representation", help="keyword ranking: ctfidf, mmr (more diverse) or keybert"),
    ] = "ctfidf",
    noise: NoiseOpt = None,
    stopwords: Annotated[Path | None, typer.Option("--stopwords", help="extra keyword stopwords, one per line")] = None,
    user_dict: Annotated[
        Path | None,
        typer.Option("--user-dict", help="extra Kiwi user dictionary: word<TAB>POS[<TAB>score] per line; its words count as brand names"),
    ] = None,
    generic_group: Annotated[
        bool,
        typer.Option(
            "--generic-group/--no-generic-group",
            help="put short generic praise and reactions (좋아요, ㅋㅋ, GOOD) into one group, topic -2, instead of clustering them",
        ),
    ] = True,
    product_names: Annotated[
        bool,
        typer.Option(
            "--product-names/--no-product-names",
            help="keep the words of the product column's names (and of --user-dict) out of keywords, labels and the generic rule",
        ),
    ] = True,
    mask_names: Annotated[
        bool, typer.Option("--mask-names", help="also hide those names from the encoder (fewer product-driven topics; see docs/topics.md)")
    ] = False,
    max_topic_share: Annotated[
        float | None,
        typer.Option(
            "--max-topic-share",
            min=0.0,
            max=0.99,
            help="split a topic holding more than this share of the clustered reviews, and never merge beyond it; 0: no limit "
            "(default: nlp.topics.MAX_TOPIC_SHARE)",
        ),
    ] = None,
) -> None:
    """Topics over scored texts: doc_topics.parquet, topics.parquet (keywords, sentiment, intent), per product/period, model/."""
    from nlp.topics.table import topics_table
    from nlp.topics.vectorizer import load_stopwords

    res = topics_table(
        scored,
        output,
        column_map(text_col, id_col, product_col, time_col, rating_col, "channel"),
        embeddings=embeddings,
        model_dir=model_dir,
        nr_topics=nr_topics,
        min_topic_size=min_topic_size,
        seed=seed,
        fit_sample=fit_sample,
        freq=freq.upper(),  # type: ignore[arg-type]
        representation=representation,
        backend=backend,
        int8=int8,
        cluster_selection=cluster_selection,
        noise_domains=tuple(noise or ()),
        stopwords=tuple(load_stopwords(stopwords)) if stopwords else (),
        user_dict=str(user_dict) if user_dict else None,
        reduce_outliers=not keep_outliers,
        generic_group=generic_group,
        product_names=product_names,
        mask_names=mask_names,
        **({"max_topic_share": max_topic_share or None} if max_topic_share is not None else {}),
        **({"n_components": umap_dims} if umap_dims is not None else {}),
    )
    generic = float((res.doc_topics["topic"] == -2).mean()) if len(res.doc_topics) else 0.0
    err_console.print(
        f"{res.n_topics} topics over {len(res.doc_topics)} rows ({generic:.0%} short generic praise and reactions, "
        f"{res.outlier_share:.0%} outliers) → {res.output_dir}: "
        + ", ".join(p.name for p in res.files.values()),
        soft_wrap=True,
    )
    for _, row in res.topics[res.topics["topic"] >= 0].head(10).iterrows():
        err_console.print(f"  {row['topic']:>3}  {row['size']:>5}  {row['label']}", highlight=False, soft_wrap=True)


@friendly_errors
def evaluate_topics_cmd(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write the full report (measures and keywords) as JSON")
    ] = None,
    aspects: Annotated[
        Path | None, typer.Option("--aspects", help="aspect-labelled reviews (default: corpora/aspects/aspects.csv)")
    ] = None,
    film: Annotated[
        Path | None,
        typer.Option("--film", help="film reviews for the mixed corpus (default: ../shared/corpora/nsmc_reviews.parquet)"),
    ] = None,
    n_film: Annotated[int, typer.Option("--n-film", min=10, help="film reviews sampled into the mixed corpus")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="sampling and UMAP seed")] = 42,
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="encoder (default: base e5)")] = None,
    int8: Annotated[bool, typer.Option("--int8", help="embed with the int8 topic encoder (ONNX Runtime)")] = False,
    real_aspects: Annotated[
        Path | None,
        typer.Option(
            "--real-aspects",
            help="instead: topics on real reviews scored against this labelled set (corpora/real_aspects/draw.py --materialise OUT.csv)",
        ),
    ] = None,
    real_context: Annotated[
        str,
        typer.Option("--real-context", help="with --real-aspects: the corpus topics are fitted on (default: ../shared real_reviews), or none"),
    ] = "default",
    chunk: Annotated[
        Literal["A", "B", "all"], typer.Option("--chunk", help="with --real-aspects: A (development), B (test) or all")
    ] = "A",
) -> None:
    """Our topics against BERTopic's defaults (same texts, same embeddings): NMI vs aspects, domain purity, keyword quality.

    With --real-aspects: topics fitted per taxonomy on real reviews, scored against the labelled aspects of one chunk
    (NMI, generic-group share, catch-all share, outliers).
    """
    from nlp.topics.evaluate import DEFAULT_ASPECTS, DEFAULT_FILM, evaluate_topics, format_report

    if real_aspects is not None:
        from nlp.topics.evaluate_real import DEFAULT_REAL_CONTEXT, evaluate_real_aspects, format_real_report

        context = {"default": DEFAULT_REAL_CONTEXT, "none": None}.get(real_context.lower(), real_context)
        real = evaluate_real_aspects(real_aspects, context, chunk=chunk, seed=seed, model_dir=model_dir, int8=int8)
        typer.echo(format_real_report(real))
        err_console.print(f"chunk {chunk}, fitted per taxonomy on {context or 'the labelled reviews'}, seed {seed}", highlight=False, soft_wrap=True)
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(real, ensure_ascii=False, indent=2), encoding="utf-8")
            err_console.print(f"report → {output}")
        return
    report = evaluate_topics(aspects or DEFAULT_ASPECTS, film or DEFAULT_FILM, n_film=n_film, seed=seed, model_dir=model_dir, int8=int8)
    typer.echo(format_report(report))
    s = report["settings"]
    err_console.print(
        f"{s['n_aspects']} aspect reviews + {s['n_film']} film reviews, embeddings from {s['embedding_model'] or 'base e5'}, seed {seed}",
        highlight=False,
        soft_wrap=True,
    )
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        err_console.print(f"report → {output}")


def register(app: typer.Typer) -> None:
    app.command("topics")(topics_cmd)
    evaluate_app.command("topics")(evaluate_topics_cmd)
