"""optagent: an LLM-driven optimization agent. This module is the stable Python API.

One loop everywhere: an LLM proposes candidates, solvers or models score them, and the scored
history goes back to the LLM. Every name below is documented with a runnable example
(``help(optagent.NAME)`` shows it); anything reached through ``agent``, ``solvers`` or ``evals``
directly may change without notice.

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

# Each name is imported `as` itself: that marks it as exported (PEP 484, for mypy and pyright)
# without an `__all__`, so that help(optagent) shows the page above rather than every
# method of every class (pydoc documents each `__all__` name in full).
from agent import __version__ as __version__
from agent.core import Run as Run
from agent.core import RunResult as RunResult
from agent.errors import OptagentError as OptagentError
from agent.llm import LLM as LLM
from agent.llm import Budget as Budget
from agent.llm import ScriptedFakeBackend as ScriptedFakeBackend
from agent.llm import load as load
from agent.optimizers import OPRO as OPRO
from agent.optimizers import Optimizer as Optimizer
from agent.optimizers import RandomSearch as RandomSearch
from agent.optimizers import opro as opro
from agent.tasks.prompt import Example as Example
from agent.tasks.prompt import PromptResult as PromptResult
from agent.tasks.prompt import PromptTask as PromptTask
from agent.tasks.prompt import builtin_task as builtin_task
from agent.tasks.prompt import load_examples as load_examples
from agent.trace import Module as Module
from agent.trace import TraceObjective as TraceObjective
from agent.trace import backward as backward
from agent.trace import bundle as bundle
from agent.trace import graph as graph
from agent.trace import node as node
from agent.trace.optimizers import DirectionalOptimizer as DirectionalOptimizer
from agent.trace.optimizers import OptoPrime as OptoPrime
from agent.trace.optimizers import TraceOPRO as TraceOPRO
from optagent._api import evaluate as evaluate
from optagent._api import formulate as formulate
from optagent._api import optimize as optimize
from optagent._prompt import PromptOptimizer as PromptOptimizer
from optagent._prompt import PromptSettings as PromptSettings
from optagent._prompt import optimize_prompt as optimize_prompt
from solvers import solve as solve
