"""Reading programs out of model replies, and the normalized form used to spot duplicates.

Parsing code here is ``ast.parse`` only: nothing the model wrote is executed in this process.
"""

from __future__ import annotations

import ast
import hashlib
import re

from agent.errors import ParseError

_FENCE = re.compile(r"```[ \t]*(?:python|py|Python)?[ \t]*\n(.*?)(?:```|\Z)", re.S)
_BRACES = re.compile(r"\{([^{}]{3,600})\}", re.S)


def parse_reply(text: str, function: str) -> tuple[str, str]:
    """The ``(idea, code)`` of a reply: the idea in braces (EoH's format) or the prose before
    the code, and the code in a fenced block or from its first ``import``/``def`` line.

    Raises:
        ParseError: the reply holds no ``def FUNCTION(``.

    Example:
        >>> parse_reply("{Prefer tight bins.}\\n```python\\ndef f(x):\\n    return x\\n```", "f")
        ('Prefer tight bins.', 'def f(x):\\n    return x')
    """
    code = ""
    for block in _FENCE.findall(text):
        if re.search(rf"\bdef\s+{re.escape(function)}\s*\(", block):
            code = block
            break
    prose = text
    if not code:
        lines = text.splitlines()
        start = next(
            (
                i
                for i, line in enumerate(lines)
                if re.match(rf"\s*(import |from \S+ import |def {re.escape(function)}\s*\()", line)
            ),
            None,
        )
        if start is None or not re.search(rf"\bdef\s+{re.escape(function)}\s*\(", text):
            raise ParseError(f"the reply has no def {function}(...)")
        code = "\n".join(lines[start:])
        prose = "\n".join(lines[:start])
    else:
        prose = text.split("```", 1)[0]
    code = code.strip("\n").rstrip()
    braces = _BRACES.search(prose)
    if braces:
        idea = braces.group(1)
    else:
        idea = next((line for line in prose.splitlines() if line.strip()), "")
    idea = " ".join(idea.split())[:600]
    return idea, code


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree


def code_key(code: str) -> str:
    """A short hash of the program's normalized form: its AST without docstrings (comments,
    blank lines and formatting drop out), or its whitespace-collapsed text when it does not
    parse. Two programs with the same key behave the same.

    Example:
        >>> same = "def f(x):\\n    '''doc'''\\n    return x  # same"
        >>> code_key(same) == code_key("def f(x): return x")
        True
    """
    try:
        normal = ast.dump(_strip_docstrings(ast.parse(code)))
    except (SyntaxError, ValueError):
        normal = " ".join(code.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def syntax_error(code: str) -> str | None:
    """The syntax error of ``code`` in one line, or ``None`` when it parses."""
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    except ValueError as exc:  # null bytes
        return f"SyntaxError: {exc}"
    return None
