"""LLMSampler on the scripted fake backend and the fault-injecting fake server.

The fakes stand in for a model's replies only: these tests check the sampler's mechanics
(sources, repair, fallback, parallel and resumed studies, settings), never model quality.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import optuna
import pytest

from agent.config import Settings
from agent.hpo import LLMSampler, ScriptedHPOFakeBackend, summarize
from agent.llm import LLM, Budget, ScriptedFakeBackend, UsageMeter, load
from tests.fakes.openai_server import FakeOpenAIServer, Fault

optuna.logging.set_verbosity(optuna.logging.WARNING)


def fake_llm(seed: int = 0, garbage_rate: float = 0.1, **meter: Any) -> LLM:
    usage = UsageMeter(Budget(**meter)) if meter else None
    return LLM(ScriptedHPOFakeBackend(seed=seed, garbage_rate=garbage_rate), usage=usage)


def mixed(trial: optuna.Trial) -> float:
    """Float, log-float, int, log-int, stepped int and categorical parameters."""
    x = trial.suggest_float("x", -5.0, 10.0)
    c = trial.suggest_float("c", 1e-3, 1e3, log=True)
    n = trial.suggest_int("n", 1, 64, log=True)
    k = trial.suggest_int("k", 0, 20, step=4)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    return (x - 2) ** 2 + abs(math.log10(c)) + abs(math.log2(n) - 3) + k / 10 + (kind != "b")


def sampler(llm: LLM | None = None, **options: Any) -> LLMSampler:
    """The model path's mechanics are tested with the gate off (the model asked every trial);
    tests/test_hpo_gate.py tests the gate."""
    options.setdefault("seed", 0)
    options.setdefault("gate", False)
    options.setdefault("problem_description", "A test function with a minimum near x=2.")
    return LLMSampler(llm=llm or fake_llm(), **options)


def assert_valid(study: optuna.Study) -> None:
    for t in study.trials:
        for name, value in t.params.items():
            dist = t.distributions[name]
            assert dist._contains(dist.to_internal_repr(value)), (name, value)


# -- what the sampler does ----------------------------------------------------------------------


def test_the_scripted_fake_gets_at_least_half_of_the_trials_proposed_by_the_llm() -> None:
    s = sampler(gate=True)  # the default: the fake wins its trials and keeps them
    study = optuna.create_study(sampler=s)
    study.optimize(mixed, n_trials=20)
    summary = summarize(study)
    assert summary["trials"] == 20
    assert summary["llm_fraction"] >= 0.5, summary
    assert (
        3 <= summary["sources"].get("warmstart", 0) <= 5
    )  # default n_warmstart; a mangled line is lost
    assert summary["calls"] > 0 and summary["tokens"] > 0
    stats = s.stats()
    assert stats["warmstart"] + stats["llm"] == round(summary["llm_fraction"] * 20)
    assert_valid(study)
    first = study.trials[0].user_attrs
    assert first["llm_source"] == "inner" and first["llm_fallback"] == "search space not known yet"
    later = study.trials[-1].user_attrs
    assert later["llm_source"] in {"llm", "inner"} and "llm_target" in later
    assert later["llm_seconds"] >= 0 and summary["seconds"] > 0


def test_garbage_replies_are_repaired_or_replaced_and_counted() -> None:
    study = optuna.create_study(sampler=sampler(fake_llm(garbage_rate=0.6)))
    study.optimize(mixed, n_trials=15)
    summary = summarize(study)
    assert summary["trials"] == 15
    assert summary["rejected"] + summary["repairs"] > 0
    assert_valid(study)


def test_each_part_can_be_switched_off() -> None:
    off = optuna.create_study(
        sampler=sampler(warmstart=False, candidate_sampling=False, surrogate=False)
    )
    off.optimize(mixed, n_trials=4)
    assert summarize(off)["sources"] == {"inner": 4}

    surrogate_only = optuna.create_study(sampler=sampler(warmstart=False, candidate_sampling=False))
    surrogate_only.optimize(mixed, n_trials=6)
    sources = summarize(surrogate_only)["sources"]
    assert sources.get("surrogate", 0) >= 3 and "llm" not in sources

    no_surrogate = sampler(warmstart=False, surrogate=False)
    study = optuna.create_study(sampler=no_surrogate)
    study.optimize(mixed, n_trials=6)
    assert all("llm_predicted" not in t.user_attrs for t in study.trials)
    assert summarize(study)["sources"].get("llm", 0) >= 3


def test_a_given_search_space_lets_the_first_trial_be_warm_started() -> None:
    space = {"x": optuna.distributions.FloatDistribution(-5.0, 10.0)}
    study = optuna.create_study(sampler=sampler(search_space=space))
    study.optimize(lambda t: (t.suggest_float("x", -5.0, 10.0) - 2) ** 2, n_trials=3)
    assert study.trials[0].user_attrs["llm_source"] == "warmstart"


def test_conditional_parameters_fall_back_to_the_inner_sampler() -> None:
    def conditional(trial: optuna.Trial) -> float:
        model = trial.suggest_categorical("model", ["svm", "tree"])
        if model == "svm":
            return abs(math.log10(trial.suggest_float("C", 1e-3, 1e3, log=True)))
        return abs(trial.suggest_int("depth", 1, 10) - 4)

    study = optuna.create_study(sampler=sampler())
    study.optimize(conditional, n_trials=12)
    assert len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))) == 12
    assert_valid(study)
    assert summarize(study)["trials"] == 12


def test_maximize_and_multi_objective_studies_work() -> None:
    up = optuna.create_study(direction="maximize", sampler=sampler())
    up.optimize(lambda t: -mixed(t), n_trials=8)
    assert summarize(up)["llm_fraction"] >= 0.5

    multi = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler())
    multi.optimize(lambda t: (mixed(t), t.params["x"] ** 2), n_trials=3)
    assert summarize(multi)["sources"] == {"inner": 3}


def test_parallel_threads_complete_and_llm_proposals_do_not_repeat() -> None:
    study = optuna.create_study(sampler=sampler())
    study.optimize(mixed, n_trials=16, n_jobs=4)
    done = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    assert len(done) == 16
    proposed = [
        tuple(sorted(t.params.items()))
        for t in done
        if t.user_attrs.get("llm_source") in ("warmstart", "llm")
    ]
    assert len(proposed) == len(set(proposed)) and len(proposed) >= 8
    assert_valid(study)


# -- failure and budgets ----------------------------------------------------------------------


def test_a_failing_server_never_stops_the_study(fake_openai_server: FakeOpenAIServer) -> None:
    """Every request fails (500s, a malformed body, then a reply that is no configuration)."""
    fake_openai_server.inject(*[Fault.server_error()] * 4, Fault.malformed())
    fake_openai_server.set_replies(["I cannot help with that."])
    llm = load(
        f"openai:fake@{fake_openai_server.url}",
        cache=False,
        settings=Settings(),
        max_retries=0,
        backoff_base=0.0,
        backoff_max=0.0,
    )
    study = optuna.create_study(sampler=sampler(llm, n_candidates=2, n_surrogate_samples=1))
    study.optimize(mixed, n_trials=8)
    assert len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))) == 8
    summary = summarize(study)
    assert summary["sources"] == {"inner": 8}
    assert any(reason.startswith("error") for reason in summary["fallbacks"]), summary
    assert "no usable new candidate" in summary["fallbacks"] or summary["rejected"] > 0
    assert fake_openai_server.request_count >= 5


def test_a_backend_that_raises_is_a_counted_fallback() -> None:
    def broken(request: Any, index: int) -> str:
        raise RuntimeError("backend exploded")

    study = optuna.create_study(sampler=sampler(LLM(ScriptedFakeBackend(broken))))
    study.optimize(mixed, n_trials=4)
    fallbacks = summarize(study)["fallbacks"]
    assert fallbacks.get("error", 0) == 3, fallbacks  # trial 0 has no space yet


def test_a_spent_budget_hands_the_rest_of_the_study_to_the_inner_sampler() -> None:
    s = sampler(fake_llm(max_calls=3))
    study = optuna.create_study(sampler=s)
    study.optimize(mixed, n_trials=12)
    summary = summarize(study)
    assert summary["trials"] == 12
    assert summary["fallbacks"].get("budget", 0) >= 1
    assert summary["sources"]["inner"] >= 6


# -- resume -------------------------------------------------------------------------------------


def journal(path: Path) -> optuna.storages.JournalStorage:
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(str(path)))


def test_a_resumed_study_continues_where_it_stopped(tmp_path: Path) -> None:
    storage = journal(tmp_path / "study.log")
    clean = fake_llm(garbage_rate=0.0)
    first = optuna.create_study(
        study_name="s", storage=storage, sampler=sampler(clean, n_warmstart=3)
    )
    first.optimize(mixed, n_trials=5)
    before = summarize(first)

    # A new process would build a new sampler and load the study from storage.
    resumed = optuna.load_study(
        study_name="s",
        storage=journal(tmp_path / "study.log"),
        sampler=sampler(fake_llm(garbage_rate=0.0), n_warmstart=3),
    )
    resumed.optimize(mixed, n_trials=7)
    after = summarize(resumed)
    assert after["trials"] == 12
    assert after["sources"]["warmstart"] == before["sources"]["warmstart"] == 3  # not redone
    assert after["sources"].get("inner", 0) == 1  # only the very first trial
    configs = [tuple(sorted(t.params.items())) for t in resumed.trials]
    assert len(set(configs)) == len(configs)
    assert resumed.best_value <= first.best_value


def test_two_processes_share_one_journal_study(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    log = tmp_path / "shared.log"
    optuna.create_study(study_name="shared", storage=journal(log))
    children = [
        subprocess.Popen(
            [
                sys.executable,
                str(root / "tests" / "_hpo_child.py"),
                str(log),
                "shared",
                "8",
                str(seed),
            ],
            cwd=root,
            env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    for child in children:
        _, err = child.communicate(timeout=240)
        assert child.returncode == 0, err[-2000:]
    study = optuna.load_study(study_name="shared", storage=journal(log))
    done = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    assert len(done) == 16
    summary = summarize(study)
    assert summary["trials"] == 16, summary
    assert summary["sources"].get("warmstart", 0) <= 2 * 3
    # How many trials the model keeps after its free ones depends on how the two processes'
    # trials interleave (each reward is measured against the trials finished before it), so
    # the >= 50% share is asserted in single-process studies. Here: the gate gave the model the
    # first trial it judged (no evidence yet: the prior's 1/2 is enough), and each of the
    # model's trials records the gate decision it was sampled under.
    model = [t for t in done if t.user_attrs.get("llm_source") in ("llm", "surrogate")]
    arms = [t.user_attrs.get("llm_gate", {}).get("arm") for t in done]
    assert "llm" in arms, summary
    assert all("llm_gate" in t.user_attrs for t in model)
    assert_valid(study)


# -- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("n_warmstart", -1),
        ("n_candidates", 0),
        ("n_surrogate_samples", 2.5),
        ("max_history", 0),
        ("target_alpha", float("nan")),
        ("target_alpha", 3),
        ("temperature", -0.1),
        ("seed", "7"),
        ("warmstart", "yes"),
        ("inner_sampler", object()),
        ("problem_description", 42),
    ],
)
def test_bad_settings_raise_value_error_naming_the_value(option: str, value: Any) -> None:
    with pytest.raises(ValueError, match=option):
        sampler(**{option: value})


def test_options_are_keyword_only_and_llm_must_be_a_model() -> None:
    with pytest.raises(TypeError):
        LLMSampler(fake_llm())  # type: ignore[misc]  # the positional call is what is tested
    with pytest.raises(ValueError, match="llm"):
        LLMSampler(llm=42)  # type: ignore[arg-type]  # the wrong type is what is tested
    with pytest.raises(ValueError, match="search_space"):
        sampler(search_space={"x": (0, 1)})


def test_a_failing_surrogate_keeps_the_llm_candidate_and_notes_why() -> None:
    fake = ScriptedHPOFakeBackend(seed=0, garbage_rate=0.0)

    def reply(request: Any, index: int) -> str:
        if "Predict the score" in request.messages[-1].content:
            raise RuntimeError("surrogate backend down")
        return fake._answer(request, index)

    study = optuna.create_study(sampler=sampler(LLM(ScriptedFakeBackend(reply)), n_warmstart=1))
    study.optimize(mixed, n_trials=6)
    later = [t.user_attrs for t in study.trials[2:]]
    assert all(a["llm_source"] == "llm" for a in later), later
    assert all("surrogate failed" in a["llm_note"] for a in later)
