"""Parse aspects.csv with the csv module and print counts (used for DATASHEET.md)."""
import collections
import csv
import os

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aspects.csv")
with open(path, encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
assert len({r["id"] for r in rows}) == len(rows)
assert len({r["text"] for r in rows}) == len(rows), "duplicate texts"
print("rows", len(rows))
da = collections.Counter((r["domain"], r["aspect"]) for r in rows)
print("| domain | aspect | n | mean rating | neg (1-2) | mid (3) | pos (4-5) |")
print("|---|---|---|---|---|---|---|")
for (d, a), n in sorted(da.items(), key=lambda x: (x[0][0] != "shopping", x[0][1])):
    rs = [int(r["rating"]) for r in rows if r["domain"] == d and r["aspect"] == a]
    print(f"| {d} | {a} | {n} | {sum(rs)/n:.2f} | {sum(x<=2 for x in rs)} | {rs.count(3)} | {sum(x>=4 for x in rs)} |")
print("domains", dict(collections.Counter(r["domain"] for r in rows)))
print("products", dict(sorted(collections.Counter(r["product_id"] for r in rows).items())))
print("ratings", dict(sorted(collections.Counter(r["rating"] for r in rows).items())))
L = sorted(len(r["text"]) for r in rows)
print("len min/median/max/mean", L[0], L[len(L)//2], L[-1], round(sum(L)/len(L), 1))
ds = sorted(r["created_at"] for r in rows)
print("dates", ds[0], ds[-1])
print("months", dict(sorted(collections.Counter(d[:7] for d in ds).items())))
