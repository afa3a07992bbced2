"""Where a Spark scoring job's time goes: each Spark job of `nlp score --engine spark`, from Spark's event log.

    python bench/spark_jobs.py [--rows 6000] [--master local[2]]

Scores N shared reviews (the sample `bench/bench_spark.py` uses) with `nlp.engines.spark.score_table`
in this process, with the event log on, and prints one JSON line per Spark job (start after the
application start, duration, tasks and the longest task) and a summary: the session start, when the
scoring job started (after the application start) and how long it took. The scoring job is the longest one.
"""

from __future__ import annotations

import argparse
import glob
import json
import tempfile
import time
from pathlib import Path

from _common import report
from bench_spark import corpus_path, reviews


def events(log_dir: str) -> list[dict]:
    out = []
    for f in sorted(glob.glob(f"{log_dir}/**/*", recursive=True)):
        if Path(f).is_file() and not Path(f).name.startswith("appstatus"):
            out += [json.loads(line) for line in Path(f).read_text().splitlines() if line.strip()]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=6000)
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    from nlp.engines import spark as S

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.parquet"
        reviews(corpus_path(None), args.rows).to_parquet(src, index=False)
        logs = Path(tmp) / "events"
        logs.mkdir()
        t0 = time.perf_counter()
        spark = S.session(args.master, conf={"spark.eventLog.enabled": "true", "spark.eventLog.dir": logs.as_uri(), "spark.eventLog.compress": "false"})
        t1 = time.perf_counter()
        S.score_table(str(src), str(Path(tmp) / "out.parquet"), spark=spark)
        t2 = time.perf_counter()
        spark.stop()
        ev = events(str(logs))
    app = next(e["Timestamp"] for e in ev if e["Event"] == "SparkListenerApplicationStart")
    jobs: dict[int, dict] = {}
    tasks: dict[int, list[float]] = {}
    stage_job = {}
    for e in ev:
        if e["Event"] == "SparkListenerJobStart":
            jobs[e["Job ID"]] = {"start": e["Submission Time"], "stages": e.get("Stage IDs", []), "name": (e.get("Stage Infos") or [{}])[-1].get("Stage Name", "")}
            for s in e.get("Stage IDs", []):
                stage_job[s] = e["Job ID"]
        elif e["Event"] == "SparkListenerJobEnd":
            jobs[e["Job ID"]]["end"] = e["Completion Time"]
        elif e["Event"] == "SparkListenerTaskEnd":
            info = e["Task Info"]
            tasks.setdefault(stage_job.get(e["Stage ID"], -1), []).append((info["Finish Time"] - info["Launch Time"]) / 1000)
    for j, d in sorted(jobs.items()):
        report("spark_job", job=j, start_s=(d["start"] - app) / 1000, seconds=(d.get("end", d["start"]) - d["start"]) / 1000,
               tasks=len(tasks.get(j, [])), longest_task_s=max(tasks.get(j, [0.0])), what=d["name"][:60])
    scoring = max(jobs.values(), key=lambda d: d.get("end", d["start"]) - d["start"])
    report("spark_jobs_summary", rows=args.rows, master=args.master, session_s=t1 - t0, score_table_s=t2 - t1,
           scoring_job_start_s=(scoring["start"] - app) / 1000, scoring_job_s=(scoring["end"] - scoring["start"]) / 1000, jobs=len(jobs))


if __name__ == "__main__":
    main()
