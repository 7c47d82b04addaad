"""User-facing errors: every mistake a user can cause raises an ``OptagentError``.

The CLI prints these without a traceback; their messages name the bad value and the fix.

Hierarchy::

    OptagentError
    ├── ConfigError            bad config file, bad flag, bad model spec
    │   └── SettingError       a bad optimizer setting (also a ValueError, as PyTorch's)
    ├── DataError              bad dataset or input file (names the file and field)
    │   └── RecordError        one record of a dataset file is bad (carries file, line, field)
    ├── BudgetExceeded         a hard budget (calls, tokens, cost, wall time) was hit
    ├── LLMError               a model backend failed (carries the model spec)
    │   ├── LLMRateLimitError
    │   ├── LLMTimeoutError
    │   ├── LLMConnectionError
    │   ├── LLMResponseError   malformed or unusable body from the server
    │   ├── ContextWindowError
    │   └── StructuredOutputError   no valid object after the repair round
    ├── MissingExtraError      an optional dependency is not installed (prints the pip command)
    └── ParseError             model output that could not be parsed (e.g. an OPRO reply)
"""

from __future__ import annotations


class OptagentError(Exception):
    """Base of every error a user can cause or act on.

    Example:
        >>> from agent.errors import OptagentError
        >>> from agent.llm import load
        >>> try:
        ...     load("nonsense:model")
        ... except OptagentError as exc:
        ...     print(type(exc).__name__)
        ConfigError
    """


class ConfigError(OptagentError):
    """A configuration value, flag or model spec is invalid."""


class SettingError(ConfigError, ValueError):
    """An optimizer was constructed with a bad setting; the message names it and its value.

    Also a ``ValueError``, as PyTorch's optimizers raise for a bad hyperparameter.

    Example:
        >>> from agent.optimizers import RandomSearch
        >>> try:
        ...     RandomSearch(lambda rng: 1, candidates_per_step=0)
        ... except ValueError as exc:
        ...     print(exc)
        random: candidates_per_step must be >= 1, got 0
    """


class DataError(OptagentError):
    """An input file or dataset record is malformed."""


class RecordError(DataError):
    """One record of a dataset file is malformed; carries where, so tests and tools can point.

    Args:
        message: what is wrong and how to fix it.
        path: the file (or folder) holding the record.
        line: the 1-based line where the record starts (0 when not known).
        field: the record field at fault ("" for the record as a whole).
    """

    def __init__(self, message: str, *, path: str, line: int = 0, field: str = "") -> None:
        self.path = path
        self.line = line
        self.field = field
        where = path + (f": line {line}" if line else "")
        if field:
            where += f": field {field!r}"
        super().__init__(f"{where}: {message}")


class BudgetExceeded(OptagentError):
    """A hard budget was reached; finished work is kept.

    Args:
        kind: which budget ("calls", "tokens", "cost" or "time").
        limit: the configured limit.
        used: how much had been used when the budget stopped the work.
    """

    def __init__(self, kind: str, limit: float, used: float) -> None:
        self.kind = kind
        self.limit = limit
        self.used = used
        super().__init__(
            f"budget reached: {kind} used {used:g} of a limit of {limit:g}; "
            f"finished work is kept (raise --max-{kind} or resume the run to continue)"
        )


class LLMError(OptagentError):
    """A model backend failed. Carries the model spec (never credentials)."""

    def __init__(self, message: str, *, model: str = "", status: int | None = None) -> None:
        self.model = model
        self.status = status
        prefix = f"[{model}] " if model else ""
        super().__init__(prefix + message)


class LLMRateLimitError(LLMError):
    """The server kept answering 429 after all retries."""


class LLMTimeoutError(LLMError):
    """A request took longer than its timeout after all retries."""


class LLMConnectionError(LLMError):
    """The server could not be reached after all retries."""


class LLMResponseError(LLMError):
    """The server answered with a malformed or unusable body."""


class ContextWindowError(LLMError):
    """The prompt does not fit the model's context window."""


class StructuredOutputError(LLMError):
    """The model gave no object matching the schema, even after one repair round.

    Attributes:
        text: the last reply that failed ("" when unknown).
        finish_reason: that reply's finish reason ("length" when cut off at max_tokens).
    """

    def __init__(
        self,
        message: str,
        *,
        model: str = "",
        status: int | None = None,
        text: str = "",
        finish_reason: str = "",
    ) -> None:
        self.text = text
        self.finish_reason = finish_reason
        super().__init__(message, model=model, status=status)


class MissingExtraError(OptagentError):
    """An optional dependency is missing; the message holds the install command."""

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{package} is not installed; install it with: pip install 'optagent[{extra}]'"
        )


class ParseError(OptagentError):
    """Model output that could not be parsed into the expected form."""
