"""The formulation agent: a problem in words becomes a typed formulation that solvers/ compiles,
solves and verifies; failures go back to the model verbatim; independent formulations vote.

Example:
    >>> from agent.formulate import solve
    >>> answer = solve("A plant makes ...", model="local", votes=3)   # doctest: +SKIP
    >>> answer.objective, answer.explanation                          # doctest: +SKIP
"""

from agent.formulate._agent import solve
from agent.formulate._answer import AgentAnswer, explain, pick_quantities
from agent.formulate._check import Check, check_formulation, check_reply, parse_formulation_reply
from agent.formulate._run import SolveJournal
from agent.formulate._schema import bounded_formulation_schema
from agent.formulate._vote import Ballot, VoteResult, same_value, vote

__all__ = [
    "AgentAnswer",
    "Ballot",
    "Check",
    "SolveJournal",
    "VoteResult",
    "bounded_formulation_schema",
    "check_formulation",
    "check_reply",
    "explain",
    "parse_formulation_reply",
    "pick_quantities",
    "same_value",
    "solve",
    "vote",
]
