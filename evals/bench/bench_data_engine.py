"""The data engine at training scale: how fast it makes distinct verified examples, and how much
of its text overlaps MAMO's (no benchmark text may leak into training data). Writes JSON.

    python3 evals/bench/bench_data_engine.py                    # 20,000 examples, 2 workers
    python3 evals/bench/bench_data_engine.py --examples 2000    # a quick look

Overlap is measured in word n-grams (lower-cased words and numbers, punctuation dropped): for
each n, the share of generated examples that share at least one n-gram with any MAMO problem
(EasyLP and ComplexLP, all splits), and the most frequent shared n-grams, so a reader can see
whether they are common English ("the total cost of the") or copied text.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAMO = ROOT.parent / "shared" / "datasets" / "mamo"
_WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    """The word n-grams of a text (lower-cased words and numbers)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def overlap(texts: Iterable[str], reference: Iterable[str], n: int) -> dict[str, object]:
    """Share of ``texts`` with an n-gram found in ``reference``, and the top shared n-grams."""
    known: set[tuple[str, ...]] = set()
    for text in reference:
        known |= ngrams(text, n)
    hits = 0
    total = 0
    shared: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        total += 1
        common = ngrams(text, n) & known
        if common:
            hits += 1
            shared.update(common)
    return {
        "n": n,
        "examples_with_shared_ngram": hits,
        "share": round(hits / total, 4) if total else None,
        "top_shared": [[" ".join(g), c] for g, c in shared.most_common(10)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ns", type=int, nargs="+", default=[8, 12, 20])
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-data-engine.json")
    args = parser.parse_args()
    from agent.tune import Recipe
    from evals.synthetic._dataset import family_names, generate_examples

    recipe = Recipe()
    names = family_names(exclude=recipe.held_out, weights=recipe.family_weights)
    started = time.monotonic()
    examples = generate_examples(args.examples, seed=args.seed, families=names,
                                 workers=args.workers)  # fmt: skip
    seconds = time.monotonic() - started
    texts = [e.text for e in examples]
    figures: dict[str, object] = {
        "examples": len(examples),
        "distinct_texts": len(set(texts)),
        "distinct_text_target_pairs": len({(e.text, e.target) for e in examples}),
        "families": len(set(names)),
        "workers": args.workers,
        "seconds": round(seconds, 1),
        "examples_per_second": round(len(examples) / seconds, 1),
        "kinds": dict(Counter(e.kind for e in examples)),
    }
    mamo_files = sorted(MAMO.glob("*.jsonl"))
    if mamo_files:
        reference = [
            json.loads(line)["Question"]
            for path in mamo_files
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        figures["mamo_problems"] = len(reference)
        figures["overlap"] = [overlap(texts, reference, n) for n in args.ns]
    else:
        figures["overlap"] = "skipped: ../shared/datasets/mamo is absent"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
