"""The chat session behind ``optagent chat``: state, routing, edits, explanations, commands,
persistence and rendering.

Example:
    >>> from agent.chat import route
    >>> route("Maximize 3x + 5y with x at most 4 and y at most 6.", None).kind
    'new_problem'
"""

from agent.chat._commands import COMMANDS, Command, run_command
from agent.chat._diff import SolutionChange, compare_solutions
from agent.chat._edits import Edit, EditError, EditPlan, apply_edits, parse_set, set_table
from agent.chat._explain import explain_solution, subject_labels
from agent.chat._render import (
    SHOW,
    answer_renderables,
    change_renderables,
    formulation_renderables,
    solution_renderables,
)
from agent.chat._router import Route, parse_whatif, route
from agent.chat._session import ChatSession
from agent.chat._state import ChatState, Turn, solution_from_dict
from agent.chat._store import SessionStore, default_run_dir, read_session, write_session

__all__ = [
    "COMMANDS",
    "SHOW",
    "ChatSession",
    "ChatState",
    "Command",
    "Edit",
    "EditError",
    "EditPlan",
    "Route",
    "SessionStore",
    "SolutionChange",
    "Turn",
    "answer_renderables",
    "apply_edits",
    "change_renderables",
    "compare_solutions",
    "default_run_dir",
    "explain_solution",
    "formulation_renderables",
    "parse_set",
    "parse_whatif",
    "read_session",
    "route",
    "run_command",
    "set_table",
    "solution_from_dict",
    "solution_renderables",
    "subject_labels",
    "write_session",
]
