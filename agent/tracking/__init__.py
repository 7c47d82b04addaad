"""Experiment tracking: log run folders to MLflow (extra ``optagent[mlflow]``).

``log_run(RUN_DIR)`` logs a finished run; ``follow_run(RUN_DIR)`` logs one while it runs
(``--tracking mlflow`` on the commands that run things). Both read the folder through
``agent.core.RunReader``, so every run kind is logged the same way.
"""

from agent.tracking._mlflow import (
    EXPERIMENT,
    MlflowLogger,
    default_tracking_uri,
    flatten,
    follow_run,
    log_run,
)

__all__ = [
    "EXPERIMENT",
    "MlflowLogger",
    "default_tracking_uri",
    "flatten",
    "follow_run",
    "log_run",
]
