"""Child process of the shared-study test: runs trials of a JournalStorage study with LLMSampler.

Usage: python tests/_hpo_child.py JOURNAL_FILE STUDY_NAME N_TRIALS SEED
"""

from __future__ import annotations

import sys

import optuna
from optuna.storages.journal import JournalFileBackend

from agent.hpo import LLMSampler, ScriptedHPOFakeBackend
from agent.llm import LLM
from tests.test_hpo_sampler import mixed


def main() -> None:
    path, name, n_trials, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.JournalStorage(JournalFileBackend(path))
    sampler = LLMSampler(
        llm=LLM(ScriptedHPOFakeBackend(seed=seed)),
        seed=seed,
        n_warmstart=3,
        problem_description="A test function with a minimum near x=2.",
    )
    study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    study.optimize(mixed, n_trials=n_trials)
    print(sampler.stats())


if __name__ == "__main__":
    main()
