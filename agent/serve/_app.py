"""The run viewer's web app (Starlette): server-rendered pages over ``RunReader``s.

Read-only by construction: every route reads run folders through ``RunReader``; the only
files it sends are its own static files, plotly.js from the installed ``plotly`` package
(never a CDN, so it works offline) and pictures in a run's ``plots/`` folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.core import candidate_text
from agent.errors import MissingExtraError
from agent.serve._index import RunIndex
from agent.serve._views import compare_rows, curve_payload, page_of, short, trial_diff

try:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.templating import Jinja2Templates
except ImportError as exc:  # pragma: no cover - depends on the install
    raise MissingExtraError("starlette", "serve") from exc

HERE = Path(__file__).parent


def plotly_js() -> Path:
    """The plotly.js bundle inside the installed ``plotly`` package.

    Raises:
        MissingExtraError: plotly is not installed.
    """
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("plotly", "serve")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise MissingExtraError("plotly", "serve")
    return path


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def create_app(paths: list[Path]) -> Starlette:
    """The viewer over the runs in ``paths`` (run folders or folders of runs)."""
    index = RunIndex(paths)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["fmt"] = _fmt
    templates.env.filters["short"] = short
    templates.env.filters["text"] = candidate_text
    templates.env.filters["pretty"] = lambda v: json.dumps(
        v, indent=2, ensure_ascii=False, default=str
    )
    plotly = plotly_js()

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def missing(request: Request, what: str) -> Response:
        return page(request, "note.html", status_code=404, title="not found", notes=[what])

    async def runs(request: Request) -> Response:
        rows = [(run_id, reader.summary()) for run_id, reader in index.all()]
        return page(request, "runs.html", title="runs", rows=rows, paths=index.paths)

    async def run(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        reader = index.get(run_id)
        if reader is None:
            return missing(request, f"no run {run_id!r} (see the runs list)")
        if not reader.is_run:
            return page(request, "note.html", title=run_id, notes=reader.notes)
        number, pages, rows = page_of(reader.trials, _int(request.query_params.get("page"), 1))
        best = reader.best_index()
        return page(
            request,
            "run.html",
            title=run_id,
            run_id=run_id,
            reader=reader,
            summary=reader.summary(),
            curve=curve_payload(reader),
            rows=rows,
            page=number,
            pages=pages,
            best=None if best is None else reader.trials[best],
            best_index=best,
            breakdown=reader.eval_breakdown() if reader.kind == "eval" else None,
            config=reader.config,
        )

    async def trial(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        reader = index.get(run_id)
        if reader is None or not reader.is_run:
            return missing(request, f"no run {run_id!r} (see the runs list)")
        i = request.path_params["index"]
        if not 0 <= i < len(reader.trials):
            so_far = len(reader.trials)
            return missing(request, f"run {run_id!r} has no trial {i} ({so_far} so far)")
        return page(
            request,
            "trial.html",
            title=f"{run_id} trial {i}",
            run_id=run_id,
            reader=reader,
            index=i,
            trial=reader.trials[i],
            diff=trial_diff(reader, i),
        )

    async def curve(request: Request) -> Response:
        reader = index.get(request.path_params["run_id"])
        if reader is None:
            return JSONResponse({"error": "no such run"}, status_code=404)
        return JSONResponse(curve_payload(reader, _int(request.query_params.get("since"), 0)))

    async def api_runs(request: Request) -> Response:
        return JSONResponse({run_id: reader.summary() for run_id, reader in index.all()})

    async def compare(request: Request) -> Response:
        all_runs = index.all()
        a_id, b_id = request.query_params.get("a"), request.query_params.get("b")
        a = index.get(a_id) if a_id else None
        b = index.get(b_id) if b_id else None
        if a is not None and b is not None and a.is_run and b.is_run:
            rows, curves = compare_rows(a, b), [curve_payload(a), curve_payload(b)]
        else:
            rows, curves = [], []
        return page(
            request,
            "compare.html",
            title="compare",
            ids=[run_id for run_id, r in all_runs if r.is_run],
            a_id=a_id,
            b_id=b_id,
            rows=rows,
            curves=curves,
            notes=[] if rows or not (a_id or b_id) else ["pick two runs from the list"],
        )

    async def plot(request: Request) -> Response:
        reader = index.get(request.path_params["run_id"])
        name = request.path_params["name"]
        if reader is None or name not in reader.plots():
            return missing(request, f"no plot {name!r}")
        return FileResponse(reader.directory / "plots" / name)

    async def plotly_bundle(request: Request) -> Response:
        return FileResponse(plotly, media_type="text/javascript")

    return Starlette(
        routes=[
            Route("/", runs),
            Route("/runs/{run_id}", run),
            Route("/runs/{run_id}/trials/{index:int}", trial),
            Route("/runs/{run_id}/plots/{name}", plot),
            Route("/compare", compare),
            Route("/api/runs", api_runs),
            Route("/api/runs/{run_id}/curve", curve),
            Route("/static/plotly.min.js", plotly_bundle),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ]
    )


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
