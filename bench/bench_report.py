"""The report of a run's output folder: `nlp report` on one machine against the Spark engine's report from aggregates.

    python bench/bench_run.py --rows 20000 --real --keep DIR      # a run's folders to report on
    python bench/bench_report.py DIR [--master local[2]]

Builds the report twice from DIR's `scored.parquet`, `aspects.parquet`, `topics/` and
`trends.parquet`: with `nlp.report.write_report` (one row per review in memory) and with
`nlp.engines.spark_report.write_report` (Spark sums of groups of reviews, quoted texts
picked by Spark), each into its own folder, with the same generation time and inputs line.
Prints the seconds of each (the Spark figure includes the session start), the number of
findings, how many groups of reviews the Spark driver holds (`review_groups`), and whether `findings.json` and `report.html` are byte-identical. Run it on a quiet
machine: both compete for the same cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="a run's output folder (nlp run -o DIR)")
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    src = Path(args.dir)
    when = dt.datetime(2026, 1, 1)
    source = {"scored": "scored.parquet"}
    work = Path(tempfile.mkdtemp(prefix="bench_report_"))

    from nlp.report import write_report

    local = work / "local"
    t0 = time.perf_counter()
    write_report(local / "report.html", src / "scored.parquet", src / "topics", src / "trends.parquet", aspects=src / "aspects.parquet",
                 generated_at=when, source=source)  # fmt: skip
    local_s = time.perf_counter() - t0

    remote = work / "spark"
    remote.mkdir()
    for name in ("scored.parquet", "aspects.parquet", "topics", "trends.parquet"):
        (remote / name).symlink_to((src / name).resolve())
    t0 = time.perf_counter()
    from nlp.engines.spark import number_rows, session
    from nlp.engines.spark_report import write_report as spark_report

    spark = session(args.master)
    numbered, _ = number_rows(spark.read.parquet(str(remote / "scored.parquet")), by_file=True)
    spark_report(numbered, remote, generated_at=when, source=source)
    spark_s = time.perf_counter() - t0

    findings = json.loads((local / "findings.json").read_text())
    groups = _groups(src)
    same = {name: (local / name).read_bytes() == (remote / name).read_bytes() for name in ("findings.json", "report.html")}
    print(json.dumps({
        "dir": str(src), "reviews": findings["n_reviews"], "findings": len(findings["findings"]), "local_s": round(local_s, 1),
        "spark_s": round(spark_s, 1), "master": args.master, "review_groups": groups, "identical": same, "date": f"{dt.date.today()}",
    }))  # fmt: skip


def _groups(src: Path) -> int:
    """How many weighted rows the Spark report's driver holds for DIR's reviews (what it groups them by)."""
    from nlp.io.columns import ColumnMap
    from nlp.io.tables import read_table
    from nlp.report.data import prepare, review_sums
    from nlp.schema import load_topic_tables

    doc_topics, topics = load_topic_tables(src / "topics")
    data = prepare(read_table(src / "scored.parquet"), doc_topics, topics, None, read_table(src / "aspects.parquet"), ColumnMap(), tz="Asia/Seoul")
    return len(review_sums(data.rows))


if __name__ == "__main__":
    main()
