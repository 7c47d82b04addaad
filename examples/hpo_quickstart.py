"""A normal Optuna study whose sampler is LLMSampler (LLAMBO): swap one line, keep the rest.

Tunes gradient descent (learning rate, steps, momentum, step-size schedule) on a small
least-squares problem. The study is stored in SQLite so optuna-dashboard can show it, with the
LLM's calls, tokens and the source of each trial in the trials' user attributes:

    python examples/hpo_quickstart.py                        # the embedded model (offline)
    python examples/hpo_quickstart.py --model openai:gpt-4o-mini --trials 30
    python examples/hpo_quickstart.py --fake                 # the scripted fake: instant demo
    optuna-dashboard sqlite:///runs/hpo_quickstart.db        # then open http://127.0.0.1:8080

Needs the hpo extra: pip install 'optagent[hpo]' (and optuna-dashboard to view it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import optuna

from agent.hpo import LLMSampler, ScriptedHPOFakeBackend, summarize
from agent.llm import LLM, load

PROBLEM = (
    "Tune plain gradient descent on a least-squares regression with 20 features "
    "(condition number about 100). The score is the final mean squared error on held-out "
    "data after training; lower is better."
)

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 20)) * np.logspace(0, 1, 20)
W_TRUE = rng.normal(size=20)
Y = X @ W_TRUE + 0.1 * rng.normal(size=200)
X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = X[:150], Y[:150], X[150:], Y[150:]


def objective(trial: optuna.Trial) -> float:
    lr = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    steps = trial.suggest_int("steps", 10, 500, log=True)
    momentum = trial.suggest_float("momentum", 0.0, 0.99)
    schedule = trial.suggest_categorical("schedule", ["constant", "cosine", "inverse_sqrt"])
    w = np.zeros(20)
    velocity = np.zeros(20)
    for t in range(steps):
        scale = {
            "constant": 1.0,
            "cosine": 0.5 * (1 + np.cos(np.pi * t / steps)),
            "inverse_sqrt": 1.0 / np.sqrt(1 + t),
        }[schedule]
        grad = X_TRAIN.T @ (X_TRAIN @ w - Y_TRAIN) / len(Y_TRAIN)
        velocity = momentum * velocity - lr * scale * grad
        w = w + velocity
        if not np.all(np.isfinite(w)):
            return 1e6  # diverged
    return float(min(np.mean((X_TEST @ w - Y_TEST) ** 2), 1e6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local", help="model spec (default: local)")
    parser.add_argument("--fake", action="store_true", help="use the scripted fake model")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--storage", default="sqlite:///runs/hpo_quickstart.db")
    args = parser.parse_args()

    Path("runs").mkdir(exist_ok=True)
    llm = LLM(ScriptedHPOFakeBackend(seed=0)) if args.fake else load(args.model)
    # The one changed line. Fewer samples per trial than the defaults (8 candidates, 4
    # surrogate samples each) keep the embedded model's trials shorter on a CPU.
    sampler = LLMSampler(
        llm=llm, problem_description=PROBLEM, seed=0, n_candidates=4, n_surrogate_samples=2
    )
    study = optuna.create_study(
        study_name="gradient-descent",
        storage=args.storage,
        sampler=sampler,
        direction="minimize",
        load_if_exists=True,
    )
    study.optimize(objective, n_trials=args.trials)
    print("best value:", study.best_value)
    print("best params:", study.best_params)
    print("what the LLM did:", json.dumps(summarize(study)))


if __name__ == "__main__":
    main()
