"""Prompt tasks: definition, answer extraction, formatting, data loading, built-ins, scoring."""

from agent.tasks.prompt._answers import (
    ANSWER_KINDS,
    AnswerKind,
    Metric,
    extract_answer,
    extract_choice,
    extract_label,
    extract_number,
    extract_yesno,
    metric_for,
    normalize_exact,
)
from agent.tasks.prompt._builtin import BUILTIN_TASKS, BuiltinTask, builtin_names, builtin_task
from agent.tasks.prompt._candidate import (
    PromptCandidate,
    demos_from,
    format_messages,
    render_question,
)
from agent.tasks.prompt._data import (
    DATA_FORMATS,
    DataFormat,
    Splits,
    detect_format,
    gsm8k_final_answer,
    load_examples,
    split_examples,
)
from agent.tasks.prompt._objective import PromptObjective, RacingObjective
from agent.tasks.prompt._optimize import METHODS, bootstrap_demos, make_optimizer, optimize_prompt
from agent.tasks.prompt._report import report_dict, report_markdown, report_table, write_report
from agent.tasks.prompt._result import PromptResult, task_from_dict, task_to_dict
from agent.tasks.prompt._scorer import EvalResult, ExampleResult, PromptScorer
from agent.tasks.prompt._task import POSITIONS, Demo, Example, Position, PromptTask

__all__ = [
    "ANSWER_KINDS",
    "BUILTIN_TASKS",
    "DATA_FORMATS",
    "METHODS",
    "POSITIONS",
    "AnswerKind",
    "BuiltinTask",
    "DataFormat",
    "Demo",
    "EvalResult",
    "Example",
    "ExampleResult",
    "Metric",
    "Position",
    "PromptCandidate",
    "PromptObjective",
    "PromptResult",
    "PromptScorer",
    "PromptTask",
    "RacingObjective",
    "Splits",
    "bootstrap_demos",
    "builtin_names",
    "builtin_task",
    "demos_from",
    "detect_format",
    "extract_answer",
    "extract_choice",
    "extract_label",
    "extract_number",
    "extract_yesno",
    "format_messages",
    "gsm8k_final_answer",
    "load_examples",
    "make_optimizer",
    "metric_for",
    "normalize_exact",
    "optimize_prompt",
    "render_question",
    "report_dict",
    "report_markdown",
    "report_table",
    "split_examples",
    "task_from_dict",
    "task_to_dict",
    "write_report",
]
