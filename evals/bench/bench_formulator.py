"""The offline formulator's scores: MAMO EasyLP test split, vote-of-5, ComplexLP, the ablation
without the adapter, and synthetic families seen and held out of training. Writes JSON.

Each configuration is an ordinary eval run (``runs/bench-formulator/NAME``: journal, records,
report), so any figure can be traced to its items; a killed bench resumes where it stopped.

    python3 evals/bench/bench_formulator.py                   # everything (about 40 min, 2 cores)
    python3 evals/bench/bench_formulator.py --only easy_test  # one configuration
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MAMO = ROOT.parent / "shared" / "datasets" / "mamo"
SPLIT = ROOT / "evals" / "splits" / "mamo_easy_lp_test.txt"

#: name -> dataset, model, votes, whether to take the test split, an optional sample size,
#: rounds (default 1) and a configuration whose cache to start from (its first rounds replay, so
#: only the extra samples cost time: that configuration's item seconds do not mean latency)
CONFIGS: dict[str, dict[str, Any]] = {
    "easy_test": {"dataset": "mamo_easy", "model": "local", "votes": 1, "split": True},
    "easy_test_retry": {  # a second sample only for a first one that failed or was doubted
        "dataset": "mamo_easy", "model": "local", "votes": 1, "split": True, "rounds": 2,
        "cache_from": "easy_test",
    },
    "easy_test_vote5": {
        "dataset": "mamo_easy", "model": "local", "votes": 5, "split": True, "sample": 60,
    },
    "easy_test_base_grammar": {
        "dataset": "mamo_easy", "model": "local-base", "votes": 1, "split": True, "sample": 60,
    },
    "complex": {"dataset": "mamo_complex", "model": "local", "votes": 1, "sample": 40},
    "synthetic_heldout": {"dataset": "heldout", "model": "local", "votes": 1},
    "synthetic_seen": {"dataset": "seen", "model": "local", "votes": 1},
}  # fmt: skip
SYNTHETIC_PER_FAMILY = 10
SYNTHETIC_SEED = 99


def _dataset(name: str, folder: Path) -> Path:
    if name == "mamo_easy":
        return MAMO / "mamo_easy_lp.jsonl"
    if name == "mamo_complex":
        return MAMO / "mamo_complex_lp.jsonl"
    from agent.tune import HELD_OUT
    from evals.synthetic._dataset import family_names, generate_examples

    families = list(HELD_OUT) if name == "heldout" else family_names(exclude=HELD_OUT)
    families = [f for f in families if f not in ("not_a_problem", "nonlinear_problem")]
    n = SYNTHETIC_PER_FAMILY * len(families) if name == "heldout" else 60
    examples = generate_examples(n, seed=SYNTHETIC_SEED, families=families, workers=1)
    path = folder / f"{name}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for i, e in enumerate(examples):
            row = {"id": f"{e.family}-{i}", "question": e.text, "answer": e.objective}
            handle.write(json.dumps(row) + "\n")
    return path


def run_config(name: str, spec: dict[str, Any], folder: Path, workers: int) -> dict[str, Any]:
    """One eval run; returns its figures."""
    from agent.core import JsonlRunStore
    from evals.datasets import load_items
    from evals.report import summarize
    from evals.runner import AgentSettings, load_records, read_split, run_eval, select_items

    dataset = _dataset(spec["dataset"], folder)
    items = load_items(dataset)
    ids = read_split(SPLIT) if spec.get("split") else None
    items = select_items(items, ids=ids, sample=spec.get("sample"), seed=0)
    out = folder / name
    cache = out / "cache.sqlite"
    seed_cache = folder / spec.get("cache_from", "-") / "cache.sqlite"
    if not cache.exists() and seed_cache.is_file():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed_cache, cache)
    settings = AgentSettings(
        spec["model"], votes=spec["votes"], max_rounds=spec.get("rounds", 1), method="compact",
        cache=str(cache),
    )  # fmt: skip
    started = time.monotonic()
    run_eval(
        items, out=out, settings=settings, mode="mamo", dataset=str(dataset),
        selection={"ids": str(SPLIT) if ids else None, "sample": spec.get("sample")},
        workers=workers, item_timeout=120, resume=(out / "config.json").exists(),
        progress=True,
    )  # fmt: skip
    config, records = load_records(out)
    store = JsonlRunStore(out)
    summary = summarize(config, records, state=store.read_state(), usage=store.read_usage())
    seconds = [r["seconds"] for r in records]
    failures: dict[str, int] = {}
    for r in records:
        if not r["correct"]:
            failures[r.get("failure") or "?"] = failures.get(r.get("failure") or "?", 0) + 1
    return {
        "name": name,
        **spec,
        "items": len(records),
        "correct": sum(bool(r["correct"]) for r in records),
        "accuracy": summary.get("accuracy"),
        "execution_rate": summary.get("execution_rate"),
        "median_item_seconds": statistics.median(seconds) if seconds else None,
        "item_ids": [str(r["id"]) for r in records],
        "correct_ids": [str(r["id"]) for r in records if r["correct"]],
        "failures": failures,
        "wall_seconds": round(time.monotonic() - started, 1),
        "workers": workers,
    }


def _paired(adapter: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The adapter and the base model on the items both runs scored (the ablation samples)."""
    shared = set(adapter["item_ids"]) & set(base["item_ids"])
    return {
        "items": len(shared),
        "adapter_correct": len(shared & set(adapter["correct_ids"])),
        "base_grammar_correct": len(shared & set(base["correct_ids"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(CONFIGS))
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-formulator")
    parser.add_argument("--workers", type=int, default=4, help="items at once (one engine)")
    args = parser.parse_args()
    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else {}
    from agent.llm import load

    identity = load("local").identity
    for name in args.only or list(CONFIGS):
        figures = run_config(name, CONFIGS[name], args.out, args.workers)
        figures["model_identity"] = identity if CONFIGS[name]["model"] == "local" else "local-base"
        results[name] = figures
        if "easy_test" in results and "easy_test_base_grammar" in results:
            results["ablation_same_items"] = _paired(
                results["easy_test"], results["easy_test_base_grammar"]
            )
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(figures))
    print(f"results: {results_path}")


if __name__ == "__main__":
    main()
