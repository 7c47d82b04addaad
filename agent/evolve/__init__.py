"""Program evolution: LLM-written heuristics evolved in the sandbox (EoH / FunSearch style).

A population of ``{"idea", "code"}`` candidates on islands; EoH's operators (two exploration
crossovers, two mutations) write new programs; each runs only in ``solvers.sandbox`` and is
scored by the problem; the run lives in a run folder with a journal, budgets and resume. See
docs/evolve.md.

Example:
    >>> from agent.evolve import builtin_problem
    >>> problem = builtin_problem("binpack-weibull")
    >>> problem.function, problem.direction, len(problem.instances)
    ('priority', 'minimize', 5)
"""

from agent.evolve._code import code_key, parse_reply, syntax_error
from agent.evolve._evaluate import FAILURE_KINDS, ProgramEvaluator, ProgramFailure, ProgramOutcome
from agent.evolve._optimizer import OPERATORS, EvolutionOptimizer, choose_parents, rank_weights
from agent.evolve._problem import BUILTINS, Problem, builtin_problem, load_problem_file
from agent.evolve._run import (
    KIND,
    EvolveResult,
    EvolveSettings,
    best_program_text,
    evolve,
    read_settings,
    summarize,
)

__all__ = [
    "BUILTINS",
    "FAILURE_KINDS",
    "KIND",
    "OPERATORS",
    "EvolutionOptimizer",
    "EvolveResult",
    "EvolveSettings",
    "Problem",
    "ProgramEvaluator",
    "ProgramFailure",
    "ProgramOutcome",
    "best_program_text",
    "builtin_problem",
    "choose_parents",
    "code_key",
    "evolve",
    "load_problem_file",
    "parse_reply",
    "rank_weights",
    "read_settings",
    "summarize",
    "syntax_error",
]
