"""Start the viewer with uvicorn (``optagent runs serve``)."""

from __future__ import annotations

import socket
from pathlib import Path

from agent.errors import ConfigError, MissingExtraError


def serve(paths: list[Path], *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the runs in ``paths`` at http://HOST:PORT until Ctrl-C.

    Raises:
        ConfigError: the port is taken or the address cannot be bound.
        MissingExtraError: the ``serve`` extra is not installed.
    """
    try:
        import uvicorn
    except ImportError:
        raise MissingExtraError("uvicorn", "serve") from None
    from agent.serve._app import create_app

    app = create_app(paths)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port"
        ) from None
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
