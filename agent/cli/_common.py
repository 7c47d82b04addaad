"""What every CLI command shares: model and budget flags, settings, error printing."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from agent.config import Settings, load_settings
from agent.errors import ConfigError, OptagentError
from solvers.errors import SolverError

if TYPE_CHECKING:
    from agent.llm import LLM

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
T = TypeVar("T")

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model spec: local, openai:NAME, openai:NAME@URL, "
        "llamacpp:PATH.gguf, hf:PATH. Default: config, then 'local'.",
    ),
]
MaxCallsOpt = Annotated[
    int | None, typer.Option("--max-calls", help="Stop after this many backend calls.")
]
MaxTokensOpt = Annotated[
    int | None, typer.Option("--max-tokens", help="Stop after this many prompt+completion tokens.")
]
MaxCostOpt = Annotated[
    float | None, typer.Option("--max-cost", help="Stop after this estimated cost in USD.")
]
MaxTimeOpt = Annotated[
    float | None, typer.Option("--max-time", help="Stop after this many seconds of wall time.")
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Do not read or write the response cache.")
]

TrackingOpt = Annotated[
    str | None,
    typer.Option(
        "--tracking",
        help="Also log the run to an experiment tracker as it runs: 'mlflow' (pip install "
        "'optagent\\[mlflow]'). Params, per-trial metrics, the best candidate and plots go to "
        "MLFLOW_TRACKING_URI, by default the SQLite database ./mlruns/mlflow.db.",
    ),
]


@contextmanager
def tracking(tracker: str | None, run_dir: str | Path | None) -> Iterator[None]:
    """Follow the run in ``run_dir`` with ``tracker`` (``--tracking``) while the block runs.

    Raises:
        ConfigError: an unknown tracker.
        MissingExtraError: its extra is not installed (before the run starts).
    """
    if tracker is None or run_dir is None:
        yield
        return
    if tracker != "mlflow":
        raise ConfigError(f"--tracking {tracker!r}: the one tracker is 'mlflow'")
    from agent.tracking import follow_run

    with follow_run(run_dir) as logger:
        yield
    if logger.error:
        err_console.print(f"[yellow]MLflow tracking failed[/]: {escape(logger.error)}")
    else:
        err_console.print(
            f"[dim]logged to MLflow run {logger.run_id} at {escape(logger.tracking_uri)}[/]",
            highlight=False,
        )


def settings_from_flags(
    *,
    model: str | None = None,
    max_calls: int | None = None,
    max_tokens: int | None = None,
    max_cost: float | None = None,
    max_time: float | None = None,
    no_cache: bool = False,
) -> Settings:
    """Resolve settings with the command line on top of environment and config files."""
    flags: dict[str, Any] = {
        "model": model,
        "max_calls": max_calls,
        "max_tokens": max_tokens,
        "max_cost": max_cost,
        "max_time": max_time,
    }
    if no_cache:
        flags["cache"] = False
    return load_settings(flags)


def llm_from_flags(**flags: Any) -> LLM:
    """Load the model named by the flags (those of ``settings_from_flags``) or the config.

    The budget and cache come from the same resolved settings.
    """
    from agent.llm import load  # deferred: commands without a model start faster

    settings = settings_from_flags(**flags)
    return load(settings.model, settings=settings)


def user_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """Print ``OptagentError`` (and solvers' ``SolverError``) as one red line and exit 2.

    Ctrl-C exits 130 quietly.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except (OptagentError, SolverError) as exc:
            err_console.print(
                f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]; finished work is kept")
            sys.exit(130)

    return wrapper
