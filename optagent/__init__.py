"""optagent: an LLM-driven optimization agent. This module is the stable Python API.

One loop everywhere: an LLM proposes candidates, solvers or models score them, and the scored
history goes back to the LLM. Every name below is documented with a runnable example; anything
reached through ``agent``, ``solvers`` or ``evals`` directly may change without notice.

Models:
    ``LLM`` (one interface, with cache, usage and budget), ``load`` (a model spec such as
    ``local`` or ``openai:gpt-4o-mini`` to an ``LLM``), ``Budget``, ``ScriptedFakeBackend``
    (scripted replies for tests and demos).
Prompt optimization:
    ``PromptTask``, ``Example``, ``builtin_task``, ``load_examples``; ``PromptSettings`` and
    ``PromptOptimizer(...).compile(task, trainset=..., valset=...)`` (or ``optimize_prompt``)
    give a ``PromptResult`` that ``save``/``PromptResult.load`` keep as JSON.
The loop and its optimizers:
    ``optimize`` (one call), ``Run``/``RunResult`` (run directory, journal, resume, budgets),
    ``Optimizer``, ``OPRO``, ``RandomSearch``, ``opro`` (OPRO in one call).
Formulation and solvers:
    ``formulate`` (a problem in words to a verified optimum), ``solve`` (a formulation to a
    solution, no LLM involved).
Evaluation:
    ``evaluate`` (the formulation agent on a benchmark, resumable).
Trace:
    ``node``, ``bundle``, ``graph``, ``backward``, ``Module``; optimizers ``OptoPrime``,
    ``DirectionalOptimizer``, ``TraceOPRO``; ``TraceObjective`` makes a traced workflow the
    objective of a ``Run`` (run folder, budgets, resume).
Errors:
    ``OptagentError``, the base of every error a user can cause.

Example:
    >>> import optagent
    >>> llm = optagent.LLM(optagent.ScriptedFakeBackend(["hello"]))
    >>> llm.complete("Say hello")[0].text
    'hello'
"""

from agent import __version__
from agent.core import Run, RunResult
from agent.errors import OptagentError
from agent.llm import LLM, Budget, ScriptedFakeBackend, load
from agent.optimizers import OPRO, Optimizer, RandomSearch, opro
from agent.tasks.prompt import Example, PromptResult, PromptTask, builtin_task, load_examples
from agent.trace import Module, TraceObjective, backward, bundle, graph, node
from agent.trace.optimizers import DirectionalOptimizer, OptoPrime, TraceOPRO
from optagent._api import evaluate, formulate, optimize
from optagent._prompt import PromptOptimizer, PromptSettings, optimize_prompt
from solvers import solve

__all__ = [
    "LLM",
    "OPRO",
    "Budget",
    "DirectionalOptimizer",
    "Example",
    "Module",
    "OptagentError",
    "Optimizer",
    "OptoPrime",
    "PromptOptimizer",
    "PromptResult",
    "PromptSettings",
    "PromptTask",
    "RandomSearch",
    "Run",
    "RunResult",
    "ScriptedFakeBackend",
    "TraceOPRO",
    "TraceObjective",
    "__version__",
    "backward",
    "builtin_task",
    "bundle",
    "evaluate",
    "formulate",
    "graph",
    "load",
    "load_examples",
    "node",
    "opro",
    "optimize",
    "optimize_prompt",
    "solve",
]
