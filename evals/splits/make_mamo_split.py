"""Write the MAMO EasyLP train/test split: a fixed seed, 400 train ids, the rest test.

Only the test ids are committed (``mamo_easy_lp_test.txt``); the train split is every other id.
Run from the repository root with ../shared present:

    python3 evals/splits/make_mamo_split.py ../shared/datasets/mamo/mamo_easy_lp.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 20261202
TRAIN = 400


def main(dataset: str) -> None:
    ids = [str(json.loads(line)["id"]) for line in Path(dataset).read_text().splitlines() if line]
    shuffled = list(ids)
    random.Random(SEED).shuffle(shuffled)
    test = sorted(shuffled[TRAIN:], key=int)
    out = Path(__file__).parent / "mamo_easy_lp_test.txt"
    header = f"# MAMO EasyLP test split: seed {SEED}, {len(ids) - len(test)} train ids held back\n"
    out.write_text(header + "\n".join(test) + "\n", encoding="utf-8")
    print(f"{len(test)} test ids -> {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/mamo/mamo_easy_lp.jsonl")
