"""Draw NSMC film reviews for purchase-intent labelling by reading (training films only).

Keywords only choose which reviews get read; the labels come from the labellers. The gold
set's test split is mostly lost on film reviews (rare labels read as `none`), so this draw
adds film reviews rich in the rare labels, from the films that sentiment training uses
(the held-out films stay unseen), skipping every review already in the intent files.

    python corpora/intent_gold/draw_intent_candidates.py --seed 202 --per-group 200 --random 200 -o candidates.csv
    # the draw behind extra_train_2.csv, repeated now that it exists:
    python corpora/intent_gold/draw_intent_candidates.py --ignore extra_train_2.csv extra_train_3.csv extra_train_4.csv -o extra2_candidates.csv
    # only the scarcest labels' pools (round 4):
    python corpora/intent_gold/draw_intent_candidates.py --seed 404 --random 0 --per-group 500 --groups consider,intent -o extra4_candidates.csv
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from nlp.modeling.sentiment_data import film_split

GROUPS = {
    "repurchase": ["또 보", "또보", "또 봤", "또봤", "두번", "두 번", "세번", "세 번", "재관람", "n차", "다시 보", "다시보", "다시 봐", "다시봐", "볼때마다", "볼 때마다", "몇번째", "몇 번째", "챙겨봐", "챙겨 봐"],
    "intent": ["보러 갈", "보러갈", "보러가야", "보러 가야", "예매", "볼 예정", "봐야겠", "봐야지", "보려구", "볼려구", "보려고", "볼려고", "다운받아", "개봉하면 꼭"],
    "consider": ["보고 싶", "보고싶", "볼까", "보신분", "보신 분", "어디서 볼", "재밌을것같", "재밌을 것 같", "개봉하면", "개봉 언제", "궁금", "볼만한가", "볼만할까", "봐도 되나", "봐도 될까"],
    "recommend": ["추천", "강추", "꼭 보", "꼭보", "보세요", "봐라", "봐야 할", "봐야할", "보시길", "보시면"],
    "avoid": ["보지 마", "보지마", "비추", "돈 아깝", "돈아깝", "시간 아깝", "시간아깝", "환불", "나가고 싶", "나가고싶", "중간에 나", "후회", "안 볼", "안볼", "끄고", "껐"],
}
# first-time interest and plans, not re-watching (as in the earlier rounds)
REWATCH = "다시|또 |또봐|또보|한번 더|한 번 더|한번더|재관람"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsmc", default=str(Path(__file__).resolve().parents[3] / "shared" / "corpora" / "nsmc_reviews.parquet"))
    ap.add_argument("--gold-dir", default="corpora/intent_gold")
    ap.add_argument("--seed", type=int, default=202)
    ap.add_argument("--per-group", type=int, default=200)
    ap.add_argument("--random", type=int, default=200)
    ap.add_argument("--groups", default=",".join(GROUPS), help="comma-separated keyword groups to draw from (default: all five)")
    ap.add_argument("--ignore", nargs="*", default=[], help="labelled files not to exclude (to repeat a draw made before they existed)")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()

    norm = lambda s: s.str.replace(r"\W+", "", regex=True)  # noqa: E731
    df = pd.read_parquet(a.nsmc, columns=["review_id", "movie_id", "rating", "review"])
    df = df.assign(text=df["review"].astype(str).str.strip())
    df = df[df["text"].str.len() > 0].drop_duplicates("text")
    df = df.assign(_n=norm(df["text"])).drop_duplicates("_n")
    df = df[~film_split(df["movie_id"], 0.1, 13)]  # training films only
    seen_ids, seen_norm = set(), set()
    d = Path(a.gold_dir)
    for f in ["gold.csv", "film_candidates.csv", *sorted(p.name for p in d.glob("extra_train*.csv"))]:
        if f in a.ignore:
            continue
        t = pd.read_csv(d / f, dtype=str)
        ids = t["id"] if "id" in t else "nsmc-" + t["review_id"]
        seen_ids |= set(ids.str.replace("nsmc-", "", regex=False))
        seen_norm |= set(norm(t["text"].astype(str).str.strip()))
    df = df[~df["review_id"].astype(str).isin(seen_ids) & ~df["_n"].isin(seen_norm)]
    print(f"pool after exclusions: {len(df):,} reviews of training films")
    picks = [df.sample(a.random, random_state=a.seed).assign(pick="random")]
    taken = set(picks[0]["review_id"])
    for group in a.groups.split(","):
        if group not in GROUPS:
            raise SystemExit(f"unknown keyword group {group!r}; expected some of {list(GROUPS)}")
        cues = GROUPS[group]
        pool = df[df["text"].str.contains("|".join(map(re.escape, cues))) & ~df["review_id"].isin(taken)]
        if group in ("intent", "consider"):
            pool = pool[~pool["text"].str.contains(REWATCH)]
        got = pool.sample(min(a.per_group, len(pool)), random_state=a.seed).assign(pick=f"keyword:{group}")
        print(f"{group}: pool {len(pool):,}, drawn {len(got)}")
        taken |= set(got["review_id"])
        picks.append(got)
    out = pd.concat(picks).sample(frac=1.0, random_state=a.seed)
    out = out.assign(id="nsmc-" + out["review_id"].astype(str))[["id", "movie_id", "rating", "text", "pick"]]
    out.to_csv(a.out, index=False)
    print(f"{len(out)} candidates -> {a.out}")


if __name__ == "__main__":
    main()
