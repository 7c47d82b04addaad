"""The gate between the model and the inner sampler: rewards, decisions, and what it does to a
study with a model that loses (scripted to propose bad configurations) and one that wins.

The fakes script the model's replies only; the gate, the sampler and Optuna are the real ones.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import optuna
import pytest

from agent.hpo import Gate, LLMSampler, ScriptedHPOFakeBackend, summarize
from agent.hpo._gate import Pull, pulls
from agent.llm import LLM, ScriptedFakeBackend

optuna.logging.set_verbosity(optuna.logging.WARNING)


def bowl(trial: optuna.Trial) -> float:
    """A 3-D bowl with its minimum 0 at (2, 2, 2)."""
    return sum((trial.suggest_float(f"x{i}", -10.0, 10.0) - 2.0) ** 2 for i in range(3))


def bad_corner_fake(request: Any, index: int) -> str:
    """A fake model that always proposes configurations in the worst corner of the bowl (and
    predicts they are excellent), varying them slightly so they are new each time."""
    prompt = request.messages[-1].content
    if "Predict the score" in prompt:
        return "0.0"
    shift = (hash((request.seed, index)) % 1000) / 500
    config = {f"x{i}": -10.0 + shift + 0.1 * i for i in range(3)}
    if "different configurations" in prompt:
        return "\n".join(json.dumps({k: v + 0.3 * j for k, v in config.items()}) for j in range(5))
    return json.dumps(config)


def gated(llm: LLM, **options: Any) -> LLMSampler:
    options.setdefault("seed", 0)
    return LLMSampler(llm=llm, problem_description="Minimize a bowl.", **options)


def attrs(scored: list[tuple[float, str | None]]) -> list[tuple[int, float, dict[str, Any]]]:
    return [
        (i, value, {} if source is None else {"llm_source": source})
        for i, (value, source) in enumerate(scored)
    ]


# -- rewards and decisions ----------------------------------------------------------------------


def test_a_reward_is_the_fraction_of_earlier_trials_beaten_ties_half() -> None:
    scored = attrs([(5.0, "inner"), (3.0, "warmstart"), (4.0, "llm"), (3.0, "inner"), (9, None)])
    got = pulls(scored, minimize=True)
    # trial 0 has nothing earlier, the warm start and the unsampled trial 4 are no arm's pulls
    assert got == [Pull(2, "llm", 0.5), Pull(3, "inner", (1 + 0.5 + 1) / 3)]
    up = pulls(scored, minimize=False)
    assert [p.reward for p in up] == [0.5, 0.5 / 3]
    assert pulls(attrs([(1.0, "surrogate"), (0.0, "surrogate")]), minimize=True)[0].arm == "llm"


def test_posteriors_count_only_each_arms_last_window_pulls() -> None:
    gate = Gate(window=2)
    history = [Pull(1, "llm", 1.0), Pull(2, "llm", 0.0), Pull(3, "llm", 0.0), Pull(4, "inner", 1)]
    post = gate.posteriors(history)
    assert post == {"llm": (1.0, 3.0), "inner": (2.0, 1.0)}


def test_after_the_startup_the_model_gets_trials_only_while_it_keeps_winning() -> None:
    gate = Gate(startup=5)
    winning = [Pull(i, "llm", 0.9) for i in range(6)] + [Pull(6, "inner", 0.6)]
    decision = gate.decide(winning, number=7)
    assert decision.arm == "llm" and decision.rule == "earned"
    losing = [Pull(i, "llm", 0.1) for i in range(6)] + [Pull(6, "inner", 0.6)]
    assert gate.decide(losing, number=7).arm == "inner"
    # as good as random search (1/2) is not winning, even against a weak inner sampler
    random_like = [Pull(i, "llm", 0.5) for i in range(10)] + [Pull(10, "inner", 0.2)]
    assert gate.decide(random_like, number=11).arm == "inner"
    assert gate.decide([], number=5).arm == "inner"  # no evidence, no trial


def test_during_the_startup_the_model_keeps_trials_only_while_it_matches_random_search() -> None:
    gate = Gate(startup=10, free=3)
    assert {gate.decide([], number=n).rule for n in range(3)} == {"free"}
    two = [Pull(1, "llm", 0.0), Pull(2, "llm", 0.0)]
    assert gate.decide(two, number=3).arm == "llm"  # two pulls: still free
    losing = [*two, Pull(3, "llm", 0.5), Pull(4, "inner", 1.0)]
    decision = gate.decide(losing, number=5)
    assert (decision.arm, decision.rule) == ("inner", "startup")
    assert decision.scores == {"llm": (1 + 0.5) / (2 + 3), "inner": 0.5}
    random_like = [Pull(1, "llm", 0.5), Pull(2, "llm", 1.0), Pull(3, "llm", 0.0)]
    assert gate.decide(random_like, number=4).arm == "llm"  # as good as random search: kept
    assert Gate(startup=10, free=0).decide([], number=0).arm == "llm"  # no evidence: prior 1/2


@pytest.mark.parametrize(
    "options",
    [
        {"window": 0},
        {"startup": -1},
        {"free": -1},
        {"margin": -1.0},
        {"llm_prior": (0.0, 1.0)},
        {"inner_prior": (1.0,)},
    ],
)
def test_bad_gate_settings_raise_value_error_naming_them(options: dict[str, Any]) -> None:
    name = next(iter(options))
    with pytest.raises(ValueError, match=name):
        Gate(**options)
    with pytest.raises(ValueError, match="gate_window"):
        gated(LLM(ScriptedHPOFakeBackend()), gate_window=0)
    with pytest.raises(ValueError, match="gate"):
        gated(LLM(ScriptedHPOFakeBackend()), gate="yes")  # type: ignore[arg-type]  # the bad value is the test


# -- in a study ---------------------------------------------------------------------------------


def test_a_model_that_keeps_losing_is_gated_off_after_the_startup() -> None:
    study = optuna.create_study(sampler=gated(LLM(ScriptedFakeBackend(bad_corner_fake))))
    study.optimize(bowl, n_trials=30)
    late = [t.user_attrs for t in study.trials if t.number >= 10]
    assert sum(a["llm_source"] == "llm" for a in late) <= 2, [a["llm_source"] for a in late]
    assert all(a["llm_gate"]["rule"] == "earned" for a in late)
    assert summarize(study)["fallbacks"]["gate"] >= 18
    inner = [
        t.user_attrs for t in study.trials if t.user_attrs.get("llm_fallback", "")[:4] == "gate"
    ]
    assert all(a["llm_gate"]["arm"] == "inner" and a["llm_calls"] == 0 for a in inner)
    # without the gate the same model takes every trial after the first
    ungated = optuna.create_study(
        sampler=gated(LLM(ScriptedFakeBackend(bad_corner_fake)), gate=False)
    )
    ungated.optimize(bowl, n_trials=12)
    assert summarize(ungated)["sources"].get("inner", 0) == 1

    def mean(trials: list[optuna.trial.FrozenTrial]) -> float:
        return sum(t.value for t in trials) / len(trials)

    assert mean(study.trials[10:]) < mean(ungated.trials[6:]) / 2  # the corner scores hundreds


def test_a_model_that_keeps_winning_keeps_most_trials() -> None:
    fake = LLM(ScriptedHPOFakeBackend(seed=1, garbage_rate=0.0))
    study = optuna.create_study(sampler=gated(fake))
    study.optimize(bowl, n_trials=30)
    summary = summarize(study)
    assert summary["llm_fraction"] >= 0.5, summary
    assert math.isfinite(study.best_value)


def test_a_resumed_study_keeps_the_gates_evidence(tmp_path: Path) -> None:
    from optuna.storages.journal import JournalFileBackend

    def storage() -> optuna.storages.JournalStorage:
        return optuna.storages.JournalStorage(JournalFileBackend(str(tmp_path / "s.log")))

    bad = LLM(ScriptedFakeBackend(bad_corner_fake))
    first = optuna.create_study(study_name="s", storage=storage(), sampler=gated(bad))
    first.optimize(bowl, n_trials=12)
    resumed = optuna.load_study(study_name="s", storage=storage(), sampler=gated(bad))
    resumed.optimize(bowl, n_trials=6)
    new = [t.user_attrs for t in resumed.trials[12:]]
    assert all(a["llm_source"] == "inner" for a in new)
    seen = new[0]["llm_gate"]["inner_beta"]
    assert sum(seen) > 2  # the pulls made before the resume count, not just the prior


def test_refresh_hands_the_inner_sampler_a_trial_when_it_had_none_lately() -> None:
    gate = Gate(startup=2, refresh=3)
    winning = [Pull(1, "inner", 0.5)] + [Pull(n, "llm", 0.95) for n in range(2, 8)]
    decision = gate.decide(winning, number=8)
    assert decision.arm == "inner" and decision.rule == "refresh"
    fresh = [*winning, Pull(8, "inner", 0.6)]
    assert gate.decide(fresh, number=9).arm == "llm"
    assert Gate(startup=2, refresh=0).decide(winning, number=8).arm == "llm"  # refresh off
