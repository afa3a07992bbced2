"""Build aspects.csv from reviews_src.txt (deterministic, seed 20260101)."""
import csv
import datetime
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
PRODUCTS = {
    "T": "shop-tshirt-01", "S": "shop-sneakers-01", "P": "shop-padding-01",
    "B": "shop-blender-01", "C": "shop-skincare-01", "G": "shop-bag-01",
    "H1": "hotel-seoul-01", "H2": "hotel-busan-01", "H3": "hotel-jeju-01",
    "H4": "hotel-gangneung-01", "H5": "hotel-seoul-02", "H6": "hotel-gyeongju-01",
}
ASPECTS = {
    "shopping": ["배송", "가격", "품질", "사이즈/핏", "디자인", "서비스/CS", "포장"],
    "hotel": ["청결", "서비스/CS", "위치", "조식/맛", "객실/시설", "가격"],
}

rows, domain, aspect = [], None, None
with open(os.path.join(HERE, "reviews_src.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("## "):
            domain, aspect = line[3:].split(" ", 1)
            assert aspect in ASPECTS[domain], line
            continue
        if not line.strip() or line.startswith("#"):
            continue
        key, rating, text = line.split("|", 2)
        pid = PRODUCTS[key]
        assert pid.startswith("shop" if domain == "shopping" else "hotel"), line
        rating = int(rating)
        assert 1 <= rating <= 5 and 10 <= len(text) <= 150, (len(text), line)
        rows.append(dict(domain=domain, product_id=pid, rating=rating, text=text.strip(), aspect=aspect))

rng = random.Random(20260101)
rng.shuffle(rows)
start = datetime.date(2026, 1, 1)
span = (datetime.date(2026, 6, 30) - start).days
for i, r in enumerate(rows, 1):
    r["id"] = f"asp-{i:04d}"
    r["created_at"] = (start + datetime.timedelta(days=rng.randint(0, span))).isoformat()

cols = ["id", "domain", "product_id", "created_at", "rating", "text", "aspect"]
with open(os.path.join(HERE, "aspects.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols, quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    for r in rows:
        w.writerow({c: r[c] for c in cols})
print(len(rows), "rows written")
