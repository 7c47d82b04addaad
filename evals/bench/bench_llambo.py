"""LLMSampler (LLAMBO) against Optuna's RandomSampler and TPESampler, Bayesmark-style.

Six tasks, all offline: three built only from data that ships with scikit-learn (an SVM on
digits, a random forest on wine, an MLP on breast cancer; the objective is 3-fold
cross-validated error) and three standard functions (Branin, Hartmann-6, Rosenbrock-4). Each
(task, sampler, seed) cell is one study of ``--trials`` trials, read at the checkpoints (10, 20
and 30 trials by default) as *normalized regret*: ``(best so far - optimum) / (typical random
value - optimum)``, 0 at the optimum and 1 at a typical random draw. The optimum is known for
the functions; for the ML tasks it is the best value any cell of the table found. The "typical
random value" is the median of all RandomSampler trials of the task (all values when the table
has no Random cells).

Cells are resumable: each study lives in OUT/studies.journal (an interrupted cell continues
where it stopped) and each finished cell is written to OUT/cells.json at once; the model's
answers are cached in OUT/cache.sqlite. The script prints per-checkpoint means, the ratios
LLM/Random and LLM/TPE (below 1: the LLM sampler is better), the fraction of each LLM study's
trials the model proposed, and writes the table as JSON (OUT/table.json unless --table).

``--model scripted`` uses the scripted HPO fake (agent.hpo.ScriptedHPOFakeBackend): a smoke run
of the harness, not a measurement of any model. ``--model scripted-random`` is the same fake
answering at random (a stand-in for a model that has learned nothing): with it the LLM sampler
must still be about as good as TPE, which is what the gate is for. ``--model served-scripted``
sends the LLM cells' requests over HTTP to a local OpenAI-compatible server answering with the
same scripted fake (tests/fakes/openai_server.py answering as tests/fakes/hpo.py scripts it,
loaded by path): a smoke run of the served path.

LLM cells are labelled by the model and, when not the defaults, the gate settings
(``--no-gate``, ``--gate-prior``, ``--gate-window``), so variants share one OUT folder.

Usage:
    python evals/bench/bench_llambo.py --model local                       # the full table
    python evals/bench/bench_llambo.py --model scripted --tasks branin --seeds 1 --trials 10
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from agent.errors import MissingExtraError

SAMPLERS = ("llm", "random", "tpe")


@dataclass(frozen=True)
class BenchTask:
    """One benchmark problem: an Optuna objective (minimized) and what is known about it."""

    name: str
    objective: Callable[[Any], float]
    description: str
    optimum: float | None  # known global minimum; None: the best value in the table


# -- standard functions ------------------------------------------------------------------------


def branin(trial: Any) -> float:
    x1 = trial.suggest_float("x1", -5.0, 10.0)
    x2 = trial.suggest_float("x2", 0.0, 15.0)
    b, c = 5.1 / (4 * math.pi**2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


_H6_ALPHA = (1.0, 1.2, 3.0, 3.2)
_H6_A = (
    (10, 3, 17, 3.5, 1.7, 8),
    (0.05, 10, 17, 0.1, 8, 14),
    (3, 3.5, 1.7, 10, 17, 8),
    (17, 8, 0.05, 10, 0.1, 14),
)
_H6_P = (
    (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
    (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
    (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
    (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
)


def hartmann6(trial: Any) -> float:
    x = [trial.suggest_float(f"x{i + 1}", 0.0, 1.0) for i in range(6)]
    total = 0.0
    for alpha, a_row, p_row in zip(_H6_ALPHA, _H6_A, _H6_P, strict=True):
        inner = sum(a * (xi - p) ** 2 for a, xi, p in zip(a_row, x, p_row, strict=True))
        total += alpha * math.exp(-inner)
    return -total


def rosenbrock(trial: Any) -> float:
    x = [trial.suggest_float(f"x{i + 1}", -2.048, 2.048) for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


# -- scikit-learn tasks (data shipped with scikit-learn) ---------------------------------------


def _sklearn() -> Any:
    try:
        import sklearn  # noqa: F401
        from sklearn import (
            datasets,
            ensemble,
            model_selection,
            neural_network,
            pipeline,
            preprocessing,
            svm,
        )
    except ImportError:
        raise MissingExtraError("scikit-learn", "bench") from None
    return datasets, ensemble, model_selection, neural_network, pipeline, svm, preprocessing


@cache
def _data(name: str) -> tuple[Any, Any]:
    datasets = _sklearn()[0]
    loader = {
        "digits": datasets.load_digits,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
    }[name]
    return loader(return_X_y=True)


def _cv_error(model: Any, data: str) -> float:
    model_selection = _sklearn()[2]
    x, y = _data(data)
    folds = model_selection.StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of short MLP fits
        scores = model_selection.cross_val_score(model, x, y, cv=folds, n_jobs=1)
    return float(1.0 - scores.mean())


def svm_digits(trial: Any) -> float:
    svm, preprocessing, pipeline = _sklearn()[5], _sklearn()[6], _sklearn()[4]
    c = trial.suggest_float("C", 1e-3, 1e3, log=True)
    gamma = trial.suggest_float("gamma", 1e-5, 1e0, log=True)
    kernel = trial.suggest_categorical("kernel", ["rbf", "sigmoid", "poly"])
    model = pipeline.make_pipeline(
        preprocessing.StandardScaler(), svm.SVC(C=c, gamma=gamma, kernel=kernel)
    )
    return _cv_error(model, "digits")


def rf_wine(trial: Any) -> float:
    ensemble = _sklearn()[1]
    model = ensemble.RandomForestClassifier(
        n_estimators=trial.suggest_int("n_estimators", 5, 100, log=True),
        max_depth=trial.suggest_int("max_depth", 1, 12),
        min_samples_split=trial.suggest_int("min_samples_split", 2, 20),
        max_features=trial.suggest_float("max_features", 0.05, 1.0),
        criterion=trial.suggest_categorical("criterion", ["gini", "entropy"]),
        random_state=0,
        n_jobs=1,
    )
    return _cv_error(model, "wine")


def mlp_breast_cancer(trial: Any) -> float:
    neural_network, pipeline, preprocessing = _sklearn()[3], _sklearn()[4], _sklearn()[6]
    model = pipeline.make_pipeline(
        preprocessing.StandardScaler(),
        neural_network.MLPClassifier(
            hidden_layer_sizes=(trial.suggest_int("hidden_units", 2, 128, log=True),),
            alpha=trial.suggest_float("alpha", 1e-6, 1e1, log=True),
            learning_rate_init=trial.suggest_float("learning_rate_init", 1e-5, 1e-1, log=True),
            activation=trial.suggest_categorical("activation", ["relu", "tanh", "logistic"]),
            max_iter=100,
            random_state=0,
        ),
    )
    return _cv_error(model, "breast_cancer")


TASKS: dict[str, BenchTask] = {
    t.name: t
    for t in (
        BenchTask(
            "svm_digits",
            svm_digits,
            "Tune a support vector classifier (features "
            "standardized) on the 8x8 handwritten digits data set; the score is the "
            "3-fold cross-validated classification error.",
            None,
        ),
        BenchTask(
            "rf_wine",
            rf_wine,
            "Tune a random forest classifier on the UCI wine data "
            "set (178 wines, 13 chemical features, 3 cultivars); the score is the 3-fold "
            "cross-validated classification error.",
            None,
        ),
        BenchTask(
            "mlp_breast_cancer",
            mlp_breast_cancer,
            "Tune a one-hidden-layer neural "
            "network (features standardized, 100 epochs) on the Wisconsin breast cancer "
            "data set; the score is the 3-fold cross-validated classification error.",
            None,
        ),
        BenchTask("branin", branin, "Minimize the Branin function of two variables.", 0.397887),
        BenchTask(
            "hartmann6",
            hartmann6,
            "Minimize the six-dimensional Hartmann function on the unit hypercube.",
            -3.32237,
        ),
        BenchTask(
            "rosenbrock", rosenbrock, "Minimize the four-dimensional Rosenbrock function.", 0.0
        ),
    )
}


# -- cells ------------------------------------------------------------------------------------


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise MissingExtraError("optuna", "hpo") from None
    return optuna


def cell_key(task: str, sampler: str, seed: int, model: str = "") -> str:
    """``task|sampler|seed``; LLM cells carry the model (``task|llm@MODEL|seed``)."""
    return f"{task}|{sampler}@{model}|{seed}" if sampler == "llm" else f"{task}|{sampler}|{seed}"


def make_llm(model: str, out: Path, seed: int, garbage_rate: float) -> Any:
    from agent.llm import LLM, load

    if model == "served-scripted":
        if _SERVED_URL is None:
            raise RuntimeError("--model served-scripted needs the scripted server (main starts it)")
        return load(f"openai:scripted-hpo-fake@{_SERVED_URL}", cache=False)
    if model in ("scripted", "scripted-random"):
        from agent.hpo import ScriptedHPOFakeBackend

        fake = ScriptedHPOFakeBackend(
            seed=seed, garbage_rate=garbage_rate, informed=model == "scripted"
        )
        return LLM(fake)
    return load(model, cache=str(out / "cache.sqlite"))


_SERVED_URL: str | None = None  # the scripted server's URL while main() runs it


def llm_label(args: argparse.Namespace) -> str:
    """The model, plus the warm-start and gate settings when they are not the defaults."""
    from agent.hpo import Gate

    model = args.model
    if args.n_warmstart is not None:
        model += f"[warmstart={args.n_warmstart}]"
    if args.no_gate:
        return f"{model}[no-gate]"
    extra = []
    if args.gate_prior != "1,1":
        extra.append(f"prior={args.gate_prior}")
    if args.gate_window != 10:
        extra.append(f"window={args.gate_window}")
    if args.gate_startup != 10:
        extra.append(f"startup={args.gate_startup}")
    if args.gate_refresh != 3:
        extra.append(f"refresh={args.gate_refresh}")
    if args.gate_free != Gate().free:
        extra.append(f"free={args.gate_free}")
    return f"{model}[gate {' '.join(extra)}]" if extra else model


def make_gate(args: argparse.Namespace) -> Any:
    """``False`` with ``--no-gate``, else the ``Gate`` the flags describe."""
    if args.no_gate:
        return False
    from agent.hpo import Gate

    a, b = (float(x) for x in args.gate_prior.split(","))
    return Gate(
        window=args.gate_window,
        startup=args.gate_startup,
        refresh=args.gate_refresh,
        free=args.gate_free,
        llm_prior=(a, b),
    )


def run_cell(
    task: BenchTask,
    sampler_name: str,
    seed: int,
    *,
    trials: int,
    out: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Run (or finish) one study and return its cell record."""
    optuna = _optuna()
    from optuna.storages.journal import JournalFileBackend

    storage = optuna.storages.JournalStorage(JournalFileBackend(str(out / "studies.journal")))
    if sampler_name == "random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    elif sampler_name == "tpe":
        sampler = optuna.samplers.TPESampler(seed=seed)
    else:
        from agent.hpo import LLMSampler

        sampler = LLMSampler(
            llm=make_llm(args.model, out, seed, args.garbage_rate),
            problem_description=task.description,
            seed=seed,
            **({} if args.n_warmstart is None else {"n_warmstart": args.n_warmstart}),
            n_candidates=args.n_candidates,
            n_surrogate_samples=args.n_surrogate_samples,
            max_history=args.max_history,
            gate=make_gate(args),
        )
    study = optuna.create_study(
        study_name=cell_key(task.name, sampler_name, seed, llm_label(args)),
        storage=storage,
        sampler=sampler,
        load_if_exists=True,
    )
    complete = optuna.trial.TrialState.COMPLETE
    started = time.perf_counter()
    left = trials - len(study.get_trials(deepcopy=False, states=(complete,)))
    if left > 0:
        study.optimize(task.objective, n_trials=left, catch=(Exception,), gc_after_trial=False)
    done = sorted(study.get_trials(deepcopy=False, states=(complete,)), key=lambda t: t.number)
    record: dict[str, Any] = {
        "task": task.name,
        "sampler": sampler_name,
        "seed": seed,
        "values": [float(t.value) for t in done[:trials]],
        "seconds": round(time.perf_counter() - started, 2),
    }
    if sampler_name == "llm":
        from agent.hpo import summarize

        record["llm"] = summarize(study)
        record["model"] = llm_label(args)
    return record


# -- the table --------------------------------------------------------------------------------


def normalized_regret(values: list[float], upto: int, optimum: float, reference: float) -> float:
    """``(min(values[:upto]) - optimum) / (reference - optimum)``, at least 0."""
    best = min(values[:upto])
    scale = reference - optimum
    if scale <= 0:
        return 0.0
    return max(0.0, (best - optimum) / scale)


def build_table(
    cells: dict[str, dict[str, Any]], tasks: list[str], checkpoints: list[int], model: str
) -> dict[str, Any]:
    """Mean normalized regret per task, sampler and checkpoint; ratios; LLM fractions.

    Only the LLM cells of ``model`` count (the file may hold other models' cells too).
    """
    table: dict[str, Any] = {"checkpoints": checkpoints, "model": model, "tasks": {}}
    for name in tasks:
        rows = [
            c
            for c in cells.values()
            if c["task"] == name and c["values"] and c.get("model", model) == model
        ]
        if not rows:
            continue
        every = [v for c in rows for v in c["values"]]
        optimum = TASKS[name].optimum
        optimum = min(every) if optimum is None else min(optimum, min(every))
        random_values = [v for c in rows if c["sampler"] == "random" for v in c["values"]]
        reference = statistics.median(random_values or every)
        entry: dict[str, Any] = {"optimum": optimum, "reference": reference, "samplers": {}}
        for sampler in SAMPLERS:
            mine = sorted((c for c in rows if c["sampler"] == sampler), key=lambda c: c["seed"])
            if not mine:
                continue
            at: dict[str, Any] = {}
            for k in checkpoints:
                per_seed = [
                    normalized_regret(c["values"], k, optimum, reference)
                    for c in mine
                    if len(c["values"]) >= k
                ]
                if per_seed:
                    at[str(k)] = {
                        "mean": statistics.fmean(per_seed),
                        "sem": _sem(per_seed),
                        "seeds": per_seed,
                    }
            entry["samplers"][sampler] = {"regret": at, "seeds": [c["seed"] for c in mine]}
            if sampler == "llm":
                entry["llm_fraction"] = [c.get("llm", {}).get("llm_fraction") for c in mine]
                entry["llm_calls"] = [c.get("llm", {}).get("calls") for c in mine]
                entry["llm_fallbacks"] = [c.get("llm", {}).get("fallbacks") for c in mine]
        ratios: dict[str, Any] = {}
        llm = entry["samplers"].get("llm", {}).get("regret", {})
        for k, stats in llm.items():
            for other in ("random", "tpe"):
                base = entry["samplers"].get(other, {}).get("regret", {}).get(k)
                if base is not None:
                    ratio = stats["mean"] / base["mean"] if base["mean"] > 0 else None
                    ratios.setdefault(k, {})[f"llm/{other}"] = ratio
        entry["ratios"] = ratios
        entry["gaps"] = {k: _gap(stats, entry["samplers"].get("tpe", {}).get("regret", {}).get(k))
                         for k, stats in llm.items()}  # fmt: skip
        table["tasks"][name] = entry
    return table


def _gap(llm: dict[str, Any], tpe: dict[str, Any] | None) -> dict[str, Any] | None:
    """LLM minus TPE mean regret, its standard error and the gap in standard errors.

    Positive: the LLM sampler is behind its inner sampler. The gap's standard error combines
    the two means' (independent studies), so ``z`` above about 2 is more than seed noise.
    """
    if tpe is None:
        return None
    gap = llm["mean"] - tpe["mean"]
    if llm.get("sem") is None or tpe.get("sem") is None:
        return {"llm-tpe": gap, "se": None, "z": None}
    se = math.hypot(llm["sem"], tpe["sem"])
    return {"llm-tpe": gap, "se": se, "z": gap / se if se > 0 else None}


def _sem(values: list[float]) -> float | None:
    """The standard error of the mean over seeds (None for one seed): the noise to judge a
    difference of means by."""
    if len(values) < 2:
        return None
    return statistics.stdev(values) / math.sqrt(len(values))


def print_table(table: dict[str, Any], console: Console) -> None:
    grid = Table(title="normalized regret (mean ± standard error over seeds; lower is better)")
    columns = ("task", "trials", "Random", "TPE", "LLM", "LLM/Random", "LLM/TPE", "LLM-TPE in SE")
    for column in (*columns, "LLM frac"):
        grid.add_column(column)

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    def fmt_mean(stats: dict[str, Any]) -> str:
        if not stats:
            return "-"
        sem = stats.get("sem")
        return f"{stats['mean']:.3f}" + ("" if sem is None else f" ±{sem:.3f}")

    for name, entry in table["tasks"].items():
        fractions = [f for f in entry.get("llm_fraction", []) if f is not None]
        frac = f"{statistics.fmean(fractions):.0%}" if fractions else "-"
        for k in map(str, table["checkpoints"]):
            means = {s: entry["samplers"].get(s, {}).get("regret", {}).get(k, {}) for s in SAMPLERS}
            ratios = entry["ratios"].get(k, {})
            gap = (entry.get("gaps") or {}).get(k) or {}
            grid.add_row(
                name,
                k,
                fmt_mean(means["random"]),
                fmt_mean(means["tpe"]),
                fmt_mean(means["llm"]),
                fmt(ratios.get("llm/random")),
                fmt(ratios.get("llm/tpe")),
                "-" if gap.get("z") is None else f"{gap['z']:+.1f}",
                frac,
            )
    console.print(grid)


def _save(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    from agent.hpo import Gate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        default="local",
        help="model spec, or 'scripted' / 'scripted-random' for the scripted fake (smoke runs)",
    )
    parser.add_argument("--no-gate", action="store_true", help="ask the model every trial")
    parser.add_argument(
        "--gate-prior", default="1,1", help="the gate's Beta prior of the LLM arm, as A,B"
    )
    parser.add_argument("--gate-window", type=int, default=10, help="the gate's window")
    parser.add_argument(
        "--gate-startup",
        type=int,
        default=10,
        help="the inner sampler's random startup (the model must match random search there)",
    )
    parser.add_argument(
        "--gate-refresh",
        type=int,
        default=3,
        help="give TPE a trial when it had none of the last N (0: never)",
    )
    parser.add_argument(
        "--gate-free",
        type=int,
        default=Gate().free,
        help="the model's first startup trials, unjudged",
    )
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated task names")
    parser.add_argument("--samplers", default=",".join(SAMPLERS), help="of llm,random,tpe")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    parser.add_argument("--trials", type=int, default=30, help="trials per study")
    parser.add_argument("--checkpoints", default="10,20,30", help="trial counts to read at")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("runs/bench-llambo"),
        help="cells.json, studies.journal and the cache (resumable)",
    )
    parser.add_argument("--table", type=Path, default=None, help="default: OUT/table.json")
    parser.add_argument(
        "--n-warmstart",
        type=int,
        default=None,
        help="zero-shot configurations asked for first (default: LLMSampler's)",
    )
    parser.add_argument("--n-candidates", type=int, default=4, help="LLM candidates per trial")
    parser.add_argument("--n-surrogate-samples", type=int, default=3)
    parser.add_argument(
        "--max-history", type=int, default=15, help="best scored trials shown in a prompt"
    )
    parser.add_argument(
        "--garbage-rate",
        type=float,
        default=0.1,
        help="share of mangled replies of the scripted fake",
    )
    args = parser.parse_args(argv)

    console = Console(width=120)
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    samplers = [s.strip() for s in args.samplers.split(",") if s.strip()]
    unknown = [t for t in tasks if t not in TASKS] + [s for s in samplers if s not in SAMPLERS]
    try:
        make_gate(args)
    except ValueError as exc:
        parser.error(f"--gate-prior {args.gate_prior!r} / --gate-window {args.gate_window}: {exc}")
    if unknown or args.seeds < 1 or args.trials < 1:
        parser.error(
            f"unknown tasks/samplers {unknown} (tasks: {', '.join(TASKS)}) or "
            "--seeds/--trials below 1"
        )
    checkpoints = sorted({int(k) for k in args.checkpoints.split(",") if int(k) <= args.trials})
    checkpoints = checkpoints or [args.trials]
    _optuna().logging.set_verbosity(_optuna().logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if args.model == "served-scripted":
            from evals.bench._test_harness import harness

            replies = harness("fakes/hpo").hpo_fake_replies(3, args.garbage_rate)
            server = stack.enter_context(harness("fakes/openai_server").FakeOpenAIServer(replies))
            global _SERVED_URL
            _SERVED_URL = server.url
            stack.callback(_forget_served_url)
        return _run(args, tasks, samplers, checkpoints, console)


def _forget_served_url() -> None:
    global _SERVED_URL
    _SERVED_URL = None


def _run(
    args: argparse.Namespace,
    tasks: list[str],
    samplers: list[str],
    checkpoints: list[int],
    console: Console,
) -> int:
    """Run the cells still missing, then print and write the table."""
    cells_path = args.out / "cells.json"
    cells: dict[str, dict[str, Any]] = (
        json.loads(cells_path.read_text()) if cells_path.is_file() else {}
    )
    todo = [(t, s, seed) for t in tasks for seed in range(args.seeds) for s in samplers]
    started = time.perf_counter()
    for i, (task, sampler, seed) in enumerate(todo, 1):
        key = cell_key(task, sampler, seed, llm_label(args))
        have = cells.get(key)
        if have and len(have["values"]) >= args.trials:
            continue
        t0 = time.perf_counter()
        record = run_cell(TASKS[task], sampler, seed, trials=args.trials, out=args.out, args=args)
        cells[key] = record
        _save(cells_path, cells)
        extra = ""
        if "llm" in record:
            extra = (
                f" llm-proposed {record['llm']['llm_fraction']:.0%}, calls {record['llm']['calls']}"
            )
        console.print(
            f"[{i}/{len(todo)}] {key}: best {min(record['values']):.5g} in "
            f"{time.perf_counter() - t0:.1f}s{extra}",
            highlight=False,
            markup=False,  # labels like llm@scripted[no-gate] are not Rich markup
        )
    table = build_table(cells, tasks, checkpoints, llm_label(args))
    table["config"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    table["seconds"] = round(time.perf_counter() - started, 1)
    print_table(table, console)
    table_path = args.table or args.out / "table.json"
    _save(table_path, table)
    console.print(f"table: {table_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
