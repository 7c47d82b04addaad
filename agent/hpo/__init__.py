"""LLM-guided hyperparameter and black-box optimization as an Optuna sampler (LLAMBO).

``LLMSampler`` plugs into any Optuna study: swap one line and keep Optuna's storages, pruners,
dashboard and distributed optimization. Needs the ``hpo`` extra (``pip install
'optagent[hpo]'``); importing this package without it raises ``MissingExtraError``.

Example (see docs/hpo.md):
    import optuna
    from agent.hpo import LLMSampler

    sampler = LLMSampler(llm="local", problem_description="Tune an SVM on digits.")
    study = optuna.create_study(sampler=sampler)
"""

from agent.hpo._fake import ScriptedHPOFakeBackend
from agent.hpo._gate import Gate
from agent.hpo._report import summarize
from agent.hpo._run import ObjectiveFile, load_objective_file, run_study
from agent.hpo._sampler import SOURCES, LLMSampler, distributions_to_space
from agent.hpo._space import Param, Proposal, parse_proposals, repair_config, repair_value

__all__ = [
    "SOURCES",
    "Gate",
    "LLMSampler",
    "ObjectiveFile",
    "Param",
    "Proposal",
    "ScriptedHPOFakeBackend",
    "distributions_to_space",
    "load_objective_file",
    "parse_proposals",
    "repair_config",
    "repair_value",
    "run_study",
    "summarize",
]
