"""Log run folders to MLflow (extra ``optagent[mlflow]``; ``mlflow-skinny`` is enough).

Every run kind goes through one path: the run folder, read by ``RunReader``. A run's
config.json becomes params (flattened, ``optimizer.name``...), each scored trial a point of
the ``score`` metric at step = its journal position, the best-so-far curve the ``best_so_far``
metric (eval runs: ``correct`` per item and ``accuracy``), the usage totals summary metrics,
and config.json, the best candidate and the plots artifacts.

The default tracking URI is a SQLite database in ``./mlruns/mlflow.db`` with artifacts in
``./mlruns/artifacts`` (recent MLflow refuses the plain file store); ``MLFLOW_TRACKING_URI``
or ``tracking_uri=`` point elsewhere (a server, another database).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agent.core import RunReader, candidate_text
from agent.errors import ConfigError, MissingExtraError

log = logging.getLogger(__name__)

EXPERIMENT = "optagent"
_BATCH = 1000  # MLflow's limit of metrics per log_batch call
_PARAMS_PER_BATCH = 100
_PARAM_CHARS = 6000
_KEY_BAD = re.compile(r"[^A-Za-z0-9_\-./ ]")
_END_STATUS = {"finished": "FINISHED", "failed": "FAILED", "interrupted": "KILLED"}


def default_tracking_uri(root: str | Path = "mlruns") -> str:
    """``MLFLOW_TRACKING_URI`` when set, else a SQLite database under ``root``."""
    env = os.environ.get("MLFLOW_TRACKING_URI")
    if env:
        return env
    return f"sqlite:///{(Path(root) / 'mlflow.db').resolve()}"


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """A config as MLflow params: nested keys joined by dots, values as text (cut to MLflow's
    6000 characters)."""
    if isinstance(value, Mapping) and value:
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}{key}."))
        return out
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return {_KEY_BAD.sub("_", prefix[:-1])[:250]: text[:_PARAM_CHARS]} if prefix else {}


class MlflowLogger:
    """Logs one run folder to one MLflow run; ``sync()`` sends what is new, ``finish()`` the
    rest and ends the MLflow run.

    Args:
        run_dir: the run folder (any kind).
        tracking_uri: where to log (default: ``default_tracking_uri()``).
        experiment: the MLflow experiment, created if missing.

    Raises:
        MissingExtraError: mlflow is not installed.
    """

    def __init__(
        self,
        run_dir: str | Path,
        *,
        tracking_uri: str | None = None,
        experiment: str = EXPERIMENT,
    ) -> None:
        try:
            from mlflow.tracking import MlflowClient
        except ImportError:
            raise MissingExtraError("mlflow-skinny", "mlflow") from None
        self.tracking_uri = tracking_uri or default_tracking_uri()
        self.experiment = experiment
        self.reader = RunReader(run_dir)
        self.client = MlflowClient(tracking_uri=self.tracking_uri)
        self.run_id: str | None = None
        self._trials = 0
        self._curve = 0
        self._params: set[str] = set()
        self.error = ""  # why following failed (``follow_run``), empty when it did not

    def _experiment_id(self) -> str:
        found = self.client.get_experiment_by_name(self.experiment)
        if found is not None:
            return str(found.experiment_id)
        location = None
        if self.tracking_uri.startswith("sqlite:///") and "MLFLOW_TRACKING_URI" not in os.environ:
            db = Path(self.tracking_uri.removeprefix("sqlite:///"))
            location = (db.parent / "artifacts").resolve().as_uri()
        return str(self.client.create_experiment(self.experiment, artifact_location=location))

    def _start(self) -> str:
        reader = self.reader
        run = self.client.create_run(
            self._experiment_id(),
            run_name=reader.name,
            tags={
                "optagent.kind": reader.kind,
                "optagent.run_dir": str(reader.directory.resolve()),
                "optagent.model": reader.model,
            },
        )
        return str(run.info.run_id)

    def sync(self) -> None:
        """Log params not yet logged and the trials and curve points appended since."""
        from mlflow.entities import Metric, Param

        reader = self.reader.refresh()
        if not reader.is_run:
            raise ConfigError(f"{'; '.join(reader.notes)}: nothing to log to MLflow")
        if self.run_id is None:
            self.run_id = self._start()
        params = [Param(k, v) for k, v in flatten(reader.config).items() if k not in self._params]
        for i in range(0, len(params), _PARAMS_PER_BATCH):
            batch = params[i : i + _PARAMS_PER_BATCH]
            self.client.log_batch(self.run_id, params=batch)
            self._params.update(p.key for p in batch)
        now = int(time.time() * 1000)
        eval_run = reader.kind == "eval"
        metrics = [
            Metric("correct" if eval_run else "score", float(t.score), now, i)
            for i, t in enumerate(reader.trials[self._trials :], self._trials)
            if t.score is not None
        ]
        metrics += [
            Metric("accuracy" if eval_run else "best_so_far", float(y), now, int(x))
            for x, y in reader.curve(self._curve)
        ]
        for i in range(0, len(metrics), _BATCH):
            self.client.log_batch(self.run_id, metrics=metrics[i : i + _BATCH])
        self._trials = len(reader.trials)
        self._curve = len(reader.curve())

    def finish(self) -> str:
        """Log the rest (totals, config, best candidate, plots) and end the MLflow run.

        Returns:
            The MLflow run id.
        """
        from mlflow.entities import Metric

        self.sync()
        assert self.run_id is not None  # sync started it
        reader = self.reader
        summary = reader.summary()
        now = int(time.time() * 1000)
        totals = {
            "trials": summary["trials"],
            "calls": summary["calls"],
            "tokens": summary["tokens"],
            "cost_usd": summary["cost"],
        }
        if summary["best"] is not None:
            totals["best"] = summary["best"]
        self.client.log_batch(
            self.run_id, metrics=[Metric(k, float(v), now, 0) for k, v in totals.items()]
        )
        self._log_artifacts()
        self.client.set_terminated(self.run_id, _END_STATUS.get(summary["status"], "FINISHED"))
        return self.run_id

    def _log_artifacts(self) -> None:
        reader = self.reader
        assert self.run_id is not None
        for name in ("config.json", "best.json", "summary.json", "answer.json"):
            if (reader.directory / name).is_file():
                self.client.log_artifact(self.run_id, str(reader.directory / name))
        for plot in reader.plots():
            self.client.log_artifact(self.run_id, str(reader.directory / "plots" / plot), "plots")
        best = reader.best_index()
        with tempfile.TemporaryDirectory() as tmp:
            if best is not None:
                path = Path(tmp) / "best_candidate.txt"
                path.write_text(candidate_text(reader.trials[best].candidate) + "\n", "utf-8")
                self.client.log_artifact(self.run_id, str(path))
            curve = reader.curve()
            if curve:
                from agent.core import plot_curves

                label = "accuracy" if reader.kind == "eval" else "best so far"
                path = plot_curves(
                    {label: curve},
                    Path(tmp) / "best_curve.png",
                    title=reader.name,
                    xlabel="trial",
                    ylabel=label,
                )
                self.client.log_artifact(self.run_id, str(path), "plots")


def log_run(
    run_dir: str | Path, *, tracking_uri: str | None = None, experiment: str = EXPERIMENT
) -> str:
    """Log a whole run folder to MLflow; returns the MLflow run id."""
    return MlflowLogger(run_dir, tracking_uri=tracking_uri, experiment=experiment).finish()


@contextmanager
def follow_run(
    run_dir: str | Path,
    *,
    tracking_uri: str | None = None,
    experiment: str = EXPERIMENT,
    poll_s: float = 5.0,
) -> Iterator[MlflowLogger]:
    """Log a run to MLflow while it runs: a thread sends new trials every ``poll_s`` seconds;
    on exit (also on Ctrl-C or an error) the rest is logged and the MLflow run ended.

    A tracking failure is logged as a warning, kept in ``logger.error``, and never stops
    the run.
    """
    logger = MlflowLogger(run_dir, tracking_uri=tracking_uri, experiment=experiment)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(poll_s):
            if not logger.reader.refresh().is_run:
                continue
            try:
                logger.sync()
            except Exception as exc:  # the run matters more than its tracking
                logger.error = f"{type(exc).__name__}: {exc}"
                log.warning("MLflow tracking of %s failed: %s", run_dir, exc)

    thread = threading.Thread(target=loop, name="optagent-mlflow", daemon=True)
    thread.start()
    try:
        yield logger
    finally:
        stop.set()
        thread.join()
        if logger.reader.refresh().is_run:
            try:
                logger.finish()
                logger.error = ""
            except Exception as exc:
                logger.error = f"{type(exc).__name__}: {exc}"
                log.warning("MLflow tracking of %s failed: %s", run_dir, exc)
