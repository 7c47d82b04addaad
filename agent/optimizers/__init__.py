"""Optimizers: each proposes candidates from a run's history; the loop does the rest.

Example:
    >>> from agent.core import History
    >>> from agent.optimizers import RandomSearch
    >>> opt = RandomSearch(lambda rng: rng.randint(0, 9), candidates_per_step=2, seed=0)
    >>> len(opt.propose(History()))
    2
"""

from agent.optimizers._api import opro
from agent.optimizers._base import Optimizer
from agent.optimizers._exemplars import ExemplarSearch, prompt_candidate
from agent.optimizers._gepa import ReflectivePareto, pareto_frontier
from agent.optimizers._instructions import (
    JointSearch,
    ReflectiveRewrite,
    instruction_opro,
    parse_instruction,
)
from agent.optimizers._mipro import BayesianJointSearch
from agent.optimizers._opro import OPRO, bucket_score
from agent.optimizers._parse import (
    parse_json_tagged,
    parse_pair,
    parse_tagged,
    parse_trace,
    trace_parser,
)
from agent.optimizers._racing import (
    RaceResult,
    RaceRound,
    RaceVerdict,
    race,
    successive_halving,
)
from agent.optimizers._random import RandomSearch

__all__ = [
    "OPRO",
    "BayesianJointSearch",
    "ExemplarSearch",
    "JointSearch",
    "Optimizer",
    "RaceResult",
    "RaceRound",
    "RaceVerdict",
    "RandomSearch",
    "ReflectivePareto",
    "ReflectiveRewrite",
    "bucket_score",
    "instruction_opro",
    "opro",
    "pareto_frontier",
    "parse_instruction",
    "parse_json_tagged",
    "parse_pair",
    "parse_tagged",
    "parse_trace",
    "prompt_candidate",
    "race",
    "successive_halving",
    "trace_parser",
]
