"""``Module``: a traced workflow whose parameters can be listed, saved and loaded as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from agent.errors import ConfigError, DataError
from agent.trace._bundle import BundledFunction
from agent.trace._node import Node
from agent.trace._values import coerce

FORMAT = "optagent.trace.parameters/1"


class Module:
    """Base class for traced workflows, like ``torch.nn.Module``.

    Parameters are found in instance attributes (nodes, sub-modules, and lists, tuples or
    dicts of them, in assignment order) and in trainable bundled methods of the class. An
    unnamed parameter takes the name of the attribute that holds it.

    Example:
        >>> from agent.trace import Module, node
        >>> class Line(Module):
        ...     def __init__(self):
        ...         self.slope = node(1.0, trainable=True)
        ...     def forward(self, x):
        ...         return self.slope * x
        >>> [name for name, _ in Line().named_parameters()]
        ['slope']
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Node) and value.trainable and not value._named:
            value.name = name
            value._named = True
        object.__setattr__(self, name, value)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The workflow; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -- parameters --------------------------------------------------------------------

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Node]]:
        """``(dotted name, parameter)`` pairs, each parameter once, in a stable order."""
        out: list[tuple[str, Node]] = []
        seen: set[Node] = set()
        for name, param in self._walk(self, prefix, set()):
            if param not in seen:
                seen.add(param)
                out.append((name, param))
        return out

    def parameters(self) -> list[Node]:
        """Every parameter once, in the order of ``named_parameters``."""
        return [param for _, param in self.named_parameters()]

    @classmethod
    def _walk(cls, obj: Any, prefix: str, visiting: set[int]) -> Iterator[tuple[str, Node]]:
        if isinstance(obj, Node):
            if obj.trainable:
                yield prefix or obj.name, obj
            return
        if isinstance(obj, BundledFunction):
            if obj.code is not None:
                yield prefix or obj.code.name, obj.code
            return
        if id(obj) in visiting:
            return
        visiting = visiting | {id(obj)}
        join = (lambda key: f"{prefix}.{key}") if prefix else str
        if isinstance(obj, Module):
            for klass in reversed(type(obj).__mro__):
                for key, attr in vars(klass).items():
                    if isinstance(attr, BundledFunction) and attr.code is not None:
                        yield from cls._walk(attr, join(key), visiting)
            for key, attr in vars(obj).items():
                yield from cls._walk(attr, join(key), visiting)
        elif isinstance(obj, list | tuple):
            for index, item in enumerate(obj):
                yield from cls._walk(item, join(str(index)), visiting)
        elif isinstance(obj, dict):
            for key, item in obj.items():
                yield from cls._walk(item, join(str(key)), visiting)

    # -- saving ------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Parameter values by dotted name (JSON-safe when the values are)."""
        return {name: param.value for name, param in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any], *, strict: bool = True) -> None:
        """Set parameter values; everything is validated before anything changes.

        Args:
            state: values by dotted name, as from ``state_dict``.
            strict: require exactly this module's parameter names.

        Raises:
            DataError: a name is missing or unknown (strict), or a value has the wrong type.
        """
        params = dict(self.named_parameters())
        if strict:
            missing = [name for name in params if name not in state]
            unknown = [name for name in state if name not in params]
            if missing or unknown:
                raise DataError(
                    f"parameters do not match {type(self).__name__}: missing {missing}, "
                    f"unknown {unknown}; pass strict=False to load a subset"
                )
        checked: dict[Node, Any] = {}
        for name, value in state.items():
            param = params.get(name)
            if param is None:
                continue
            try:
                checked[param] = coerce(
                    param.param_type or "str", value, current=param.value, function=param.name
                )
            except ValueError as exc:
                raise DataError(f"parameter {name!r}: {exc}") from None
        for param, value in checked.items():
            param.value = value

    def save(self, path: str | Path) -> Path:
        """Write the parameters to a JSON file."""
        target = Path(path)
        payload = {"format": FORMAT, "parameters": self.state_dict()}
        target.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return target

    def load(self, path: str | Path, *, strict: bool = True) -> None:
        """Read parameters written by ``save``.

        Raises:
            DataError: the file is missing, not JSON, of another format, or does not match.
        """
        source = Path(path)
        try:
            payload = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read parameters from {source}: {exc}") from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise DataError(f"{source} is not an optagent parameter file (format {FORMAT})")
        params = payload.get("parameters")
        if not isinstance(params, dict):
            raise DataError(f"{source}: field 'parameters' must be an object")
        self.load_state_dict(params, strict=strict)


def named(parameters: Module | Mapping[str, Node] | Iterable[Node]) -> dict[str, Node]:
    """Name each trainable node: module paths, mapping keys, or node names made unique."""
    if isinstance(parameters, Module):
        pairs = parameters.named_parameters()
    elif isinstance(parameters, Mapping):
        pairs = list(parameters.items())
    else:
        pairs = []
        taken: set[str] = set()
        for param in parameters:
            name, suffix = param.name, 1
            while name in taken:
                name, suffix = f"{param.name}_{suffix}", suffix + 1
            taken.add(name)
            pairs.append((name, param))
    out: dict[str, Node] = {}
    for name, param in pairs:
        if not isinstance(param, Node) or not param.trainable:
            raise ConfigError(f"optimizer parameter {name!r} is not a trainable node")
        if param in out.values():
            continue
        out[name] = param
    if not out:
        raise ConfigError("the optimizer got no trainable parameters")
    return out
