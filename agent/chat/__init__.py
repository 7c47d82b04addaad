"""The chat session behind ``optagent chat``: state, routing, edits, explanations, commands,
persistence and rendering.

Example:
    >>> from agent.chat import route
    >>> route("Maximize 3x + 5y with x at most 4 and y at most 6.", None).kind
    'new_problem'
"""

from agent.chat._commands import COMMANDS, Command, run_command
from agent.chat._decide import INTENTS, Decision, decide, decision_schema
from agent.chat._diff import SolutionChange, compare_solutions
from agent.chat._edits import Edit, EditError, EditPlan, apply_edits, parse_set, set_table
from agent.chat._explain import (
    explain_solution,
    fact_numbers,
    numbers_in,
    render_why,
    rephrasing_ok,
    subject_labels,
    why_facts,
)
from agent.chat._render import (
    SHOW,
    answer_renderables,
    change_renderables,
    formulation_renderables,
    solution_renderables,
)
from agent.chat._router import Route, parse_whatif, read_whatif, route
from agent.chat._session import ChatSession
from agent.chat._state import ChatState, Turn, solution_from_dict
from agent.chat._store import SessionStore, default_run_dir, read_session, write_session
from agent.chat._targets import Target, edit_targets, match_targets

__all__ = [
    "COMMANDS",
    "INTENTS",
    "SHOW",
    "ChatSession",
    "ChatState",
    "Command",
    "Decision",
    "Edit",
    "EditError",
    "EditPlan",
    "Route",
    "SessionStore",
    "SolutionChange",
    "Target",
    "Turn",
    "answer_renderables",
    "apply_edits",
    "change_renderables",
    "compare_solutions",
    "decide",
    "decision_schema",
    "default_run_dir",
    "edit_targets",
    "explain_solution",
    "fact_numbers",
    "formulation_renderables",
    "match_targets",
    "numbers_in",
    "parse_set",
    "parse_whatif",
    "read_session",
    "read_whatif",
    "render_why",
    "rephrasing_ok",
    "route",
    "run_command",
    "set_table",
    "solution_from_dict",
    "solution_renderables",
    "subject_labels",
    "why_facts",
    "write_session",
]
