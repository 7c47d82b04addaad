"""``LLMSampler``: LLAMBO as an Optuna sampler.

Relative sampling runs over the intersection search space Optuna infers from the finished
trials (or a space given up front); parameters outside it (conditional ones, the first trial's)
are sampled independently by the inner sampler. Each trial's configuration comes from exactly
one source, written to the trial's user attributes as ``llm_source``:

- ``warmstart``: the zero-shot warm start (the first ``n_warmstart`` LLM trials);
- ``llm``: a candidate the model proposed for the target score (ranked by the surrogate);
- ``surrogate``: a random candidate chosen by the LLM surrogate (candidate sampling off);
- ``inner``: the inner sampler (the space is not known yet, or the model failed; the reason is
  in ``llm_fallback``).

The sampler keeps no state that matters across processes: what was proposed and by whom lives
in the study's storage, so several processes sharing a study (RDB or Journal storage) and a
resumed study behave the same as one long run.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.errors import BudgetExceeded, MissingExtraError
from agent.hpo._gate import Gate, Pull, pulls
from agent.hpo._llambo import (
    Observation,
    plausible_bounds,
    rank_by_expected_improvement,
    render_candidate_prompt,
    render_surrogate_prompt,
    render_warmstart_prompt,
    surrogate_estimate,
    target_score,
)
from agent.hpo._space import Param, Proposal, is_near, parse_proposals, random_config

try:
    import optuna
    from optuna.distributions import (
        BaseDistribution,
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )
    from optuna.samplers import BaseSampler, TPESampler
    from optuna.search_space import IntersectionSearchSpace
    from optuna.trial import FrozenTrial, TrialState
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("optuna", "hpo") from None

if TYPE_CHECKING:
    from optuna.study import Study

    from agent.llm import LLM, Completion

__all__ = ["SOURCES", "LLMSampler", "distributions_to_space"]

_log = logging.getLogger(__name__)

#: Every value ``llm_source`` takes; the first two count as LLM-proposed.
SOURCES = ("warmstart", "llm", "surrogate", "inner")


def distributions_to_space(distributions: Mapping[str, BaseDistribution]) -> list[Param]:
    """Optuna distributions -> ``Param`` list (single-valued ones left out: Optuna fixes them).

    Raises:
        ValueError: a distribution type this sampler does not know.
    """
    space: list[Param] = []
    for name, dist in distributions.items():
        if dist.single():
            continue
        if isinstance(dist, FloatDistribution):
            space.append(Param(name, "float", dist.low, dist.high, dist.log, dist.step))
        elif isinstance(dist, IntDistribution):
            step = None if dist.step == 1 else dist.step
            space.append(Param(name, "int", dist.low, dist.high, dist.log, step))
        elif isinstance(dist, CategoricalDistribution):
            space.append(Param(name, "categorical", choices=tuple(dist.choices)))
        else:
            raise ValueError(f"parameter {name!r}: unsupported distribution {dist!r}")
    return space


@dataclass
class _TrialRecord:
    """What one trial's LLM work cost and produced (written to its user attributes)."""

    source: str = "inner"
    calls: int = 0
    cache_hits: int = 0
    tokens: int = 0
    repairs: int = 0
    rejected: int = 0
    fallback: str = ""
    seconds: float = 0.0
    target: float | None = None
    predicted: tuple[float, float] | None = None
    gate: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def count(self, completions: Sequence[Completion]) -> None:
        if any(not c.cached for c in completions):
            self.calls += 1
        for c in completions:
            if c.cached:
                self.cache_hits += 1
            else:
                self.tokens += c.usage.total_tokens

    def attrs(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "llm_source": self.source,
            "llm_calls": self.calls,
            "llm_cache_hits": self.cache_hits,
            "llm_tokens": self.tokens,
            "llm_repairs": self.repairs,
            "llm_rejected": self.rejected,
            "llm_seconds": round(self.seconds, 3),
        }
        if self.fallback:
            out["llm_fallback"] = self.fallback
        if self.target is not None:
            out["llm_target"] = self.target
        if self.predicted is not None:
            out["llm_predicted"] = list(self.predicted)
        if self.gate is not None:
            out["llm_gate"] = self.gate
        if self.notes:
            out["llm_note"] = "; ".join(self.notes)
        return out


class LLMSampler(BaseSampler):
    """An Optuna sampler that asks a language model for configurations (LLAMBO).

    Args:
        llm: the model: an ``agent.llm.LLM`` or a model spec string (``local``,
            ``openai:NAME@URL``...), loaded with the configured cache and budget.
        problem_description: what is being optimized, in plain words; goes into every prompt.
        inner_sampler: samples what the model does not: the first trial, conditional
            parameters, and every fallback. Default ``TPESampler(seed=seed)``.
        seed: seeds the inner sampler, the random parts and the model requests.
        search_space: the space up front (name -> distribution), so the first trial can be
            warm-started too; default: inferred from finished trials.
        warmstart: ask for ``n_warmstart`` zero-shot configurations for the first trials.
        n_warmstart: how many trials the warm start proposes.
        candidate_sampling: ask the model for candidates that would reach a target score
            ``target_alpha`` of the best-to-median spread beyond the best (LLAMBO's sampler); when
            off, candidates are random draws (for the surrogate to choose from).
        n_candidates: candidates per trial (samples of one request).
        surrogate: rank candidates by expected improvement of the model's predicted score
            (mean and spread over ``n_surrogate_samples`` samples); when off, the first usable
            candidate is taken.
        n_surrogate_samples: samples per prediction.
        target_alpha: how far beyond the best the target lies, as a fraction of the range.
        temperature: sampling temperature of candidate and surrogate requests.
        max_history: at most this many scored trials (the best ones) go into a prompt.
        gate: after the warm start, let a bandit over the study's own trials decide per trial
            whether the model's candidate or the inner sampler's draw goes in (``True``: the
            default ``Gate``; a ``Gate`` to tune it; ``False``: ask the model every trial). A
            model that keeps losing to the inner sampler then gets few trials (see ``_gate``).
        gate_window: rewards of the last this many trials of each arm count (``gate=True``).

    Raises:
        ValueError: a setting is out of range (the message names it and its value).

    Example:
        >>> import optuna
        >>> from agent.hpo import LLMSampler, ScriptedHPOFakeBackend
        >>> from agent.llm import LLM
        >>> fake = LLM(ScriptedHPOFakeBackend(seed=0))  # a real run passes llm="local"
        >>> sampler = LLMSampler(llm=fake, problem_description="Minimize (x - 2)^2.", seed=0)
        >>> study = optuna.create_study(sampler=sampler)
        >>> study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 2) ** 2, n_trials=8)
        >>> sampler.stats()["inner"] < 8
        True
    """

    def __init__(
        self,
        *,
        llm: LLM | str,
        problem_description: str = "",
        inner_sampler: BaseSampler | None = None,
        seed: int | None = None,
        search_space: Mapping[str, BaseDistribution] | None = None,
        warmstart: bool = True,
        n_warmstart: int = 5,
        candidate_sampling: bool = True,
        n_candidates: int = 8,
        surrogate: bool = True,
        n_surrogate_samples: int = 4,
        target_alpha: float = 0.1,
        temperature: float = 0.8,
        max_history: int = 30,
        gate: bool | Gate = True,
        gate_window: int = 10,
    ) -> None:
        _check_int("n_warmstart", n_warmstart, 0)
        _check_int("n_candidates", n_candidates, 1)
        _check_int("n_surrogate_samples", n_surrogate_samples, 1)
        _check_int("max_history", max_history, 1)
        _check_int("gate_window", gate_window, 1)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"seed must be an int or None, got {seed!r}")
        if not _is_real(target_alpha) or not -1.0 <= target_alpha <= 1.0:
            raise ValueError(f"target_alpha must be a number in [-1, 1], got {target_alpha!r}")
        if not _is_real(temperature) or not 0.0 <= temperature <= 2.0:
            raise ValueError(f"temperature must be a number in [0, 2], got {temperature!r}")
        if not isinstance(gate, bool | Gate):
            raise ValueError(f"gate must be True, False or a Gate, got {gate!r}")
        inner = inner_sampler or TPESampler(seed=seed)
        if gate is True:  # the model competes with random search during the inner's startup
            startup = (
                getattr(inner, "_n_startup_trials", 10) if isinstance(inner, TPESampler) else 10
            )
            gate = Gate(window=gate_window, startup=startup)
        if not isinstance(problem_description, str):
            raise ValueError(
                f"problem_description must be a str, got {type(problem_description).__name__}"
            )
        if inner_sampler is not None and not isinstance(inner_sampler, BaseSampler):
            raise ValueError(f"inner_sampler must be an Optuna sampler, got {inner_sampler!r}")
        for flag, value in (
            ("warmstart", warmstart),
            ("candidate_sampling", candidate_sampling),
            ("surrogate", surrogate),
        ):
            if not isinstance(value, bool):
                raise ValueError(f"{flag} must be True or False, got {value!r}")
        if search_space is not None:
            if not isinstance(search_space, Mapping) or not all(
                isinstance(d, BaseDistribution) for d in search_space.values()
            ):
                raise ValueError(
                    f"search_space must map names to Optuna distributions, got {search_space!r}"
                )
            distributions_to_space(search_space)  # raises on an unsupported distribution
        if isinstance(llm, str):
            from agent.llm import load

            llm = load(llm)
        if not hasattr(llm, "complete") or not hasattr(llm, "batch"):
            raise ValueError(f"llm must be an agent.llm.LLM or a model spec string, got {llm!r}")

        self._llm = llm
        self._description = problem_description.strip()
        self._seed = seed
        self._inner = inner
        self._fixed_space = dict(search_space) if search_space is not None else None
        self._warmstart = warmstart
        self._n_warmstart = n_warmstart
        self._candidate_sampling = candidate_sampling
        self._n_candidates = n_candidates
        self._surrogate = surrogate
        self._n_surrogate_samples = n_surrogate_samples
        self._target_alpha = float(target_alpha)
        self._temperature = float(temperature)
        self._max_history = max_history
        self._gate: Gate | None = gate or None

        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._warm_lock = threading.Lock()
        self._intersection = IntersectionSearchSpace()
        self._warm_lists: dict[str, list[Proposal]] = {}
        self._handed_out: list[dict[str, Any]] = []
        self._disabled = ""  # a reason once the model must not be asked again (budget)
        self._counts: Counter[str] = Counter()
        self._warned: set[str] = set()

    # -- BaseSampler ------------------------------------------------------------------------

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if study._is_multi_objective():
            return {}
        if self._fixed_space is not None:
            return dict(self._fixed_space)
        with self._lock:
            space = self._intersection.calculate(study)
        return {name: dist for name, dist in space.items() if not dist.single()}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        record = _TrialRecord()
        started = time.perf_counter()
        try:
            params = self._sample(study, trial, search_space, record)
        except BudgetExceeded as exc:
            self._disabled = f"budget: {exc}"
            record.fallback = f"budget: {exc.kind}"
            params = None
        except Exception as exc:  # a failing model never stops a study
            record.fallback = f"error: {type(exc).__name__}: {exc}"[:300]
            params = None
            with self._lock:
                first = type(exc).__name__ not in self._warned
                self._warned.add(type(exc).__name__)
            if first:  # once per kind of error; every trial's reason is in its user attributes
                _log.warning(
                    "LLMSampler: the model step failed on trial %d (%s); the inner sampler "
                    "takes such trials",
                    trial.number,
                    record.fallback,
                )
        record.seconds = time.perf_counter() - started
        if params is None:
            record.source = "inner"
            params = self._inner_relative(study, trial, search_space)
        with self._lock:
            self._counts[record.source] += 1
            if record.fallback:
                self._counts["fallbacks"] += 1
            self._counts["repairs"] += record.repairs
            self._counts["rejected"] += record.rejected
            self._counts["calls"] += record.calls
            self._counts["tokens"] += record.tokens
        self._record(study, trial, record)
        return params

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._inner.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._inner.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._inner.reseed_rng()
        self._rng = random.Random()

    # -- reporting ---------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """What this sampler object did in this process: trials per source, fallbacks,
        repaired values, rejected proposals, backend calls and tokens. For a whole study (all
        processes, resumed runs) use ``summarize(study)``."""
        with self._lock:
            out = {source: self._counts[source] for source in SOURCES}
            for key in ("fallbacks", "repairs", "rejected", "calls", "tokens"):
                out[key] = self._counts[key]
        return out

    # -- the three LLAMBO parts --------------------------------------------------------------

    def _sample(
        self,
        study: Study,
        trial: FrozenTrial,
        search_space: dict[str, BaseDistribution],
        record: _TrialRecord,
    ) -> dict[str, Any] | None:
        if not search_space:
            multi = study._is_multi_objective()
            record.fallback = "multi-objective study" if multi else "search space not known yet"
            return None
        if self._disabled:
            record.fallback = self._disabled.split(":")[0]
            return None
        if not (self._warmstart or self._candidate_sampling or self._surrogate):
            record.fallback = "all LLM parts switched off"
            return None
        space = distributions_to_space(search_space)
        trials = study.get_trials(deepcopy=False)
        minimize = study.direction == optuna.study.StudyDirection.MINIMIZE
        history = _history(trials, space)
        taken = [t.params for t in trials if t.number != trial.number]

        if self._warmstart and self._n_warmstart > 0:
            used = sum(
                1
                for t in trials
                if t.number != trial.number and t.user_attrs.get("llm_source") == "warmstart"
            )
            if used < self._n_warmstart:
                chosen = self._take_warmstart(space, minimize, taken, record)
                if chosen is not None:
                    record.source = "warmstart"
                    return chosen

        if not history:
            record.fallback = "no scored trial yet"
            return None
        values = [o.value for o in history]
        best = min(values) if minimize else max(values)
        target = target_score(values, minimize=minimize, alpha=self._target_alpha)
        record.target = target

        if self._gate is not None:
            decision = self._gate.decide(_pulls(trials, trial, minimize), number=trial.number)
            record.gate = decision.attrs()
            if decision.arm == "inner":
                record.fallback = "gate: the inner sampler's turn"
                return None

        if self._candidate_sampling:
            candidates = self._llm_candidates(trial, space, history, target, minimize, record)
            source = "llm"
        else:
            candidates = [
                Proposal(random_config(space, self._rng)) for _ in range(self._n_candidates)
            ]
            source = "surrogate"
        fresh = self._fresh(candidates, space, taken)
        if not fresh:
            record.fallback = "no usable new candidate"
            return None
        choice = 0
        if self._surrogate and (len(fresh) > 1 or not self._candidate_sampling):
            try:
                estimates = self._predict(trial, space, history, fresh, minimize, record)
            except BudgetExceeded as exc:  # keep the candidates already paid for
                self._disabled = f"budget: {exc}"
                record.notes.append(f"surrogate stopped by the {exc.kind} budget")
                estimates = [None] * len(fresh)
            except Exception as exc:
                record.notes.append(f"surrogate failed: {type(exc).__name__}: {exc}"[:200])
                estimates = [None] * len(fresh)
            if any(e is not None for e in estimates):
                choice = rank_by_expected_improvement(estimates, best, minimize=minimize)[0]
                record.predicted = estimates[choice]
            else:
                record.notes.append("surrogate gave no number")
                if not self._candidate_sampling:
                    record.fallback = "surrogate gave no number"
                    return None
        order = [choice] + [i for i in range(len(fresh)) if i != choice]
        for i in order:
            if self._claim(fresh[i], space):
                record.source = source
                record.repairs += len(fresh[i].repaired)
                return dict(fresh[i].params)
        record.fallback = "candidates taken by parallel trials"
        return None

    def _take_warmstart(
        self,
        space: list[Param],
        minimize: bool,
        taken: list[dict[str, Any]],
        record: _TrialRecord,
    ) -> dict[str, Any] | None:
        key = "|".join(p.describe() for p in space)
        with self._warm_lock:  # one warm-start request per space, however many threads ask
            listed = self._warm_lists.get(key)
            if listed is None:
                listed = self._warm_list(space, minimize, record)
                self._warm_lists[key] = listed
        for proposal in self._fresh(listed, space, taken):
            if self._claim(proposal, space):
                record.repairs += len(proposal.repaired)
                return dict(proposal.params)
        return None

    def _warm_list(
        self, space: list[Param], minimize: bool, record: _TrialRecord
    ) -> list[Proposal]:
        """Ask once for ``n_warmstart`` zero-shot configurations."""
        prompt = render_warmstart_prompt(
            description=self._description, space=space, n=self._n_warmstart, minimize=minimize
        )
        completions = self._llm.complete(
            prompt,
            temperature=0.0,
            max_tokens=min(2048, self._n_warmstart * (24 + 16 * len(space))),
            seed=self._seed,
        )
        record.count(completions)
        listed, rejected = parse_proposals(completions[0].text, space, self._rng)
        record.rejected += rejected if listed or rejected else 1  # 1: nothing readable
        return listed

    def _llm_candidates(
        self,
        trial: FrozenTrial,
        space: list[Param],
        history: list[Observation],
        target: float,
        minimize: bool,
        record: _TrialRecord,
    ) -> list[Proposal]:
        prompt = render_candidate_prompt(
            description=self._description,
            space=space,
            history=history,
            target=target,
            minimize=minimize,
            limit=self._max_history,
        )
        completions = self._llm.complete(
            prompt,
            n=self._n_candidates,
            temperature=self._temperature,
            max_tokens=32 + 16 * len(space),
            seed=self._request_seed(trial),
        )
        record.count(completions)
        out: list[Proposal] = []
        for c in completions:
            found, rejected = parse_proposals(c.text, space, self._rng, limit=4)
            record.rejected += rejected if found or rejected else 1  # 1: nothing readable
            out.extend(found)
        return out

    def _predict(
        self,
        trial: FrozenTrial,
        space: list[Param],
        history: list[Observation],
        candidates: list[Proposal],
        minimize: bool,
        record: _TrialRecord,
    ) -> list[tuple[float, float] | None]:
        from agent.llm import LLM

        requests = [
            LLM.request(
                render_surrogate_prompt(
                    description=self._description,
                    space=space,
                    history=history,
                    query=c.params,
                    minimize=minimize,
                    limit=self._max_history,
                ),
                n=self._n_surrogate_samples,
                temperature=self._temperature,
                max_tokens=16,
                seed=self._request_seed(trial),
            )
            for c in candidates
        ]
        answers = self._llm.batch(requests)
        for completions in answers:
            record.count(completions)
        bounds = plausible_bounds([o.value for o in history])
        return [surrogate_estimate([c.text for c in comps], bounds=bounds) for comps in answers]

    # -- helpers -----------------------------------------------------------------------------

    def _fresh(
        self, proposals: Sequence[Proposal], space: list[Param], taken: list[dict[str, Any]]
    ) -> list[Proposal]:
        """Proposals not tried yet (in the study or handed out here), without near-repeats."""
        out: list[Proposal] = []
        with self._lock:
            tried = [*taken, *self._handed_out]
            for p in proposals:
                others = [*tried, *(q.params for q in out)]
                if not any(is_near(p.params, o, space) for o in others):
                    out.append(p)
        return out

    def _claim(self, proposal: Proposal, space: list[Param]) -> bool:
        """Mark a proposal as handed out, so parallel trials differ; False if it already was."""
        with self._lock:
            if any(is_near(proposal.params, o, space) for o in self._handed_out):
                return False
            self._handed_out.append(dict(proposal.params))
        return True

    def _request_seed(self, trial: FrozenTrial) -> int:
        return ((self._seed or 0) * 1_000_003 + trial.number) % (2**31 - 1)

    def _inner_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """The inner sampler's relative draw, kept to our space (the rest goes independent)."""
        inner_space = self._inner.infer_relative_search_space(study, trial)
        if not inner_space:
            return {}
        drawn = self._inner.sample_relative(study, trial, inner_space)
        return {
            name: value
            for name, value in drawn.items()
            if name in search_space and inner_space.get(name) == search_space[name]
        }

    def _record(self, study: Study, trial: FrozenTrial, record: _TrialRecord) -> None:
        for key, value in record.attrs().items():
            study._storage.set_trial_user_attr(trial._trial_id, key, value)


def _history(trials: Sequence[FrozenTrial], space: list[Param]) -> list[Observation]:
    names = [p.name for p in space]
    out = []
    for t in trials:
        if t.state != TrialState.COMPLETE or t.values is None or len(t.values) != 1:
            continue
        if not all(n in t.params for n in names):
            continue
        value = t.values[0]
        if not math.isfinite(value):
            continue
        out.append(Observation({n: t.params[n] for n in names}, float(value)))
    return out


def _pulls(trials: Sequence[FrozenTrial], current: FrozenTrial, minimize: bool) -> list[Pull]:
    """The gate's view of the study: every other finished trial with a finite value."""
    scored = [
        (t.number, float(t.values[0]), t.user_attrs)
        for t in trials
        if t.number != current.number
        and t.state == TrialState.COMPLETE
        and t.values is not None
        and len(t.values) == 1
        and math.isfinite(t.values[0])
    ]
    return pulls(scored, minimize=minimize)


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
