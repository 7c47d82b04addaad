"""The harness that runs one candidate program inside the sandbox (never imported here).

``solvers.sandbox`` runs this file's text as ``__main__`` with ``data`` =
``{"code", "function", "runner", "instances"}``: it compiles the candidate as
``candidate.py``, looks up the evolved function, compiles the problem's ``run(function,
instance)`` as ``problem.py`` and calls it on each instance. Its ``result`` is either
``{"outputs": [...]}`` or ``{"failure": KIND, "error": ONE_LINE, "traceback": TEXT}``, where
KIND is ``syntax``, ``exception`` (raised in the candidate's code), ``wrong_output`` (raised in
the problem's ``run``: the function returned something unusable) or ``missing`` (no such
function). The parent checks every output again before scoring it.
"""

import __future__  # noqa: I001 - imported as a module, for its compiler flag
import traceback

_CANDIDATE = "candidate.py"
_PROBLEM = "problem.py"


def _innermost(exc: BaseException) -> str:
    """Which file raised: the candidate's or the problem's (the deepest of the two)."""
    where = _PROBLEM
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in (_CANDIDATE, _PROBLEM):
            where = frame.filename
    return where


def _failure(kind: str, exc: BaseException, prefix: str = "") -> dict:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    line = f"{prefix}{type(exc).__name__}: {exc}"
    return {"failure": kind, "error": line[:500], "traceback": text[-4000:]}


def _main(data: dict) -> dict:
    space: dict = {"__name__": "candidate"}
    try:
        exec(compile(data["code"], _CANDIDATE, "exec"), space)
    except SyntaxError as exc:
        return _failure("syntax", exc)
    except BaseException as exc:  # the program's own top level failed (SystemExit too)
        return _failure("exception", exc, "at import: ")
    function = space.get(data["function"])
    if not callable(function):
        return {
            "failure": "missing",
            "error": f"the program defines no function {data['function']}()",
            "traceback": "",
        }
    runner: dict = {"__name__": "problem"}
    flags = __future__.annotations.compiler_flag  # the runner's type hints stay text
    exec(compile(data["runner"], _PROBLEM, "exec", flags=flags, dont_inherit=True), runner)
    outputs = []
    for number, instance in enumerate(data["instances"]):
        try:
            outputs.append(runner["run"](function, instance))
        except BaseException as exc:
            if _innermost(exc) == _CANDIDATE:
                return _failure("exception", exc, f"on instance {number}: ")
            return _failure("wrong_output", exc, f"on instance {number}: ")
    return {"outputs": outputs}


if __name__ == "__main__":  # in the sandbox; importing this module runs nothing
    result = _main(globals()["data"])
