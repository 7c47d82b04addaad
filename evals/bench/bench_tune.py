"""Training speed and formulation latency of the offline formulator, with baselines from the
same run. Writes JSON.

- training tokens/s: the recipe's setting (bf16 where native, LoRA on the upper layers) against
  fp32 with LoRA on every layer, a few steps each on the same batches;
- formulation latency: ``optagent solve``'s agent with ``local`` (shipped adapter, compact
  grammar, one sample) on MAMO EasyLP *train-split* items, one at a time, against
  ``local-base`` under the same grammar.

    python3 evals/bench/bench_tune.py [--steps 12] [--problems 10] [--out runs/bench-tune.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from agent.errors import MissingExtraError

ROOT = Path(__file__).resolve().parents[2]
MAMO_EASY = ROOT.parent / "shared" / "datasets" / "mamo" / "mamo_easy_lp.jsonl"


def training_speed(steps: int) -> dict[str, float]:
    try:
        import torch
    except ImportError:
        raise MissingExtraError("torch", "tune") from None

    from agent.llm.backends._embedded import require_embedded_model_path
    from agent.llm.backends._llamacpp import shared_engine
    from agent.tune import LoraSettings, TrainSettings, add_lora, batches, encode, load_base, train
    from agent.tune._model import pick_dtype
    from evals.synthetic._dataset import family_names, generate_examples

    path = require_embedded_model_path()
    engine = shared_engine(path, n_parallel=1, kv_size=512, n_ctx=512)
    rows = generate_examples(8 * steps, seed=5, families=family_names(), workers=1)
    data = batches([encode(r.to_dict(), engine) for r in rows], batch_size=8, seed=0,
                   pad_id=engine.eos_id, max_length=512)  # fmt: skip
    out: dict[str, float] = {}
    for name, dtype, first in (
        ("recipe", pick_dtype("cpu"), 15),
        ("fp32_all_layers", torch.float32, 0),
    ):
        model = add_lora(
            load_base(path, device="cpu", dtype=dtype), LoraSettings(first_layer=first)
        )
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            result = train(model, data, data[:1], TrainSettings(eval_every=10**6), Path(folder),
                           device="cpu")  # fmt: skip
        out[f"{name}_tokens_per_s"] = round(result.tokens_per_second, 1)
    out["speedup"] = round(out["recipe_tokens_per_s"] / out["fp32_all_layers_tokens_per_s"], 2)
    return out


def formulation_latency(problems: int) -> dict[str, float]:
    from agent.formulate import solve

    test = set((ROOT / "evals" / "splits" / "mamo_easy_lp_test.txt").read_text().split())
    rows = [json.loads(line) for line in MAMO_EASY.read_text().splitlines() if line.strip()]
    train_rows = [r for r in rows if str(r["id"]) not in test][:problems]
    out: dict[str, float] = {}
    for spec in ("local", "local-base"):
        seconds = []
        solve(train_rows[0]["Question"], model=spec, max_rounds=1)  # load the engine first
        for row in train_rows:
            started = time.perf_counter()
            solve(row["Question"], model=spec, max_rounds=1, method="compact")
            seconds.append(time.perf_counter() - started)
        out[f"{spec}_median_s"] = round(statistics.median(seconds), 2)
        out[f"{spec}_max_s"] = round(max(seconds), 2)
    out["ratio_local_over_base"] = round(out["local_median_s"] / out["local-base_median_s"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--problems", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-tune.json")
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()
    figures: dict[str, object] = {"problems": args.problems, "steps": args.steps}
    if not args.skip_training:
        figures["training"] = training_speed(args.steps)
        print(json.dumps(figures["training"]))
    figures["latency"] = formulation_latency(args.problems)
    print(json.dumps(figures["latency"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures: {args.out}")


if __name__ == "__main__":
    main()
