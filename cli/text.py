"""``nlp tokenize``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlp.cli._common import (
    ChannelCol,
    IdCol,
    ProductCol,
    RatingCol,
    RatingScale,
    TextCol,
    TimeCol,
    column_map,
    err_console,
    friendly_errors,
)


@friendly_errors
def tokenize_cmd(
    input: Annotated[str, typer.Argument(help="CSV/TSV/JSONL/Parquet file, or - for stdin")],
    output: Annotated[Path, typer.Option("-o", "--output", help="output table; format from the extension")],
    text_col: TextCol = "text",
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
    channel_col: ChannelCol = "channel",
    rating_scale: RatingScale = "auto",
    user_dict: Annotated[Path | None, typer.Option(help="extra Kiwi user dictionary: word<TAB>POS[<TAB>score] per line")] = None,
    space: Annotated[bool, typer.Option(help="correct spacing before analysis")] = False,
    typos: Annotated[bool, typer.Option(help="correct common typos (slower)")] = False,
    mask_pii: Annotated[bool, typer.Option("--mask-pii/--no-mask-pii", help="mask phones, resident numbers, cards, e-mails and URLs in the text and text_normalized (tags) and in the id, product and other text columns (keyed tokens); flag pii_masked (docs/privacy.md)")] = False,
    chunk_size: Annotated[int, typer.Option(min=1, help="rows per streamed chunk")] = 20_000,
) -> None:
    """Normalise and tokenise with Kiwi: input + text_normalized, tokens, sentences, content_words, flags."""
    from nlp.text.table import tokenize_table

    stats = tokenize_table(
        input,
        output,
        column_map(text_col, id_col, product_col, time_col, rating_col, channel_col),
        user_dict=str(user_dict) if user_dict else None,
        space=space,
        typos=typos,
        mask_pii=mask_pii,
        rating_scale=rating_scale,
        chunk_size=chunk_size,
    )
    err_console.print(f"{stats.output_rows} rows → {stats.output}; {stats.rejected_rows} rejected → {stats.rejects}")
