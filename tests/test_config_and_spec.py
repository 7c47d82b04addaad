"""Model spec parsing and settings precedence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import agent.config
from agent.config import Settings, load_settings
from agent.errors import ConfigError
from agent.llm import parse_spec


@pytest.mark.parametrize(
    ("text", "kind", "name", "url"),
    [
        ("local", "local", "", None),
        ("", "local", "", None),
        ("openai:gpt-4o-mini", "openai", "gpt-4o-mini", None),
        ("openai:qwen@http://127.0.0.1:8000/v1", "openai", "qwen", "http://127.0.0.1:8000/v1"),
        ("llamacpp:/m/x.gguf", "llamacpp", "/m/x.gguf", None),
        ("hf:/ckpt", "hf", "/ckpt", None),
    ],
)
def test_spec_forms(text: str, kind: str, name: str, url: str | None) -> None:
    spec = parse_spec(text)
    assert (spec.kind, spec.name, spec.base_url) == (kind, name, url)


@pytest.mark.parametrize("bad", ["gpt4", "foo:bar", "openai:", "openai:x@ftp://h", "hf:"])
def test_bad_specs_name_the_value(bad: str) -> None:
    with pytest.raises(ConfigError, match="spec"):
        parse_spec(bad)


def test_precedence_flags_over_env_over_project_over_user(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[optagent]\nmodel = "openai:user"\nmax_calls = 1\nmax_cost = 9.5\n')
    project = tmp_path / "proj"
    project.mkdir()
    (project / "optagent.toml").write_text('[optagent]\nmodel = "openai:project"\nmax_calls = 2\n')
    env = {"OPTAGENT_MAX_CALLS": "3"}
    s = load_settings({"model": "openai:flag"}, environ=env, project_dir=project, user_file=user)
    assert s.model == "openai:flag"
    assert s.max_calls == 3
    assert s.max_cost == 9.5
    assert s.budget.max_calls == 3


def test_bad_config_value_names_file_and_field(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[optagent]\nmax_calls = "many"\n')
    with pytest.raises(ConfigError, match=r"user\.toml: max_calls must be a int"):
        load_settings(environ={}, project_dir=tmp_path, user_file=user)


def test_unknown_setting_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting 'modle'"):
        load_settings({"modle": "x"}, environ={}, project_dir=tmp_path, user_file=tmp_path / "no")


def test_the_test_session_keeps_the_users_config_and_cache_out(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """tests/conftest.py's session fixture: nothing a test does reads or writes the user's
    ``~/.config/optagent`` or ``~/.cache/optagent``, in this process or a CLI subprocess."""
    base = tmp_path_factory.getbasetemp()
    assert agent.config.user_config_file().is_relative_to(base)
    assert agent.config.default_cache_dir().is_relative_to(base)
    assert Settings().cache_path.is_relative_to(base)
    assert load_settings().cache_path.is_relative_to(base)
    assert "OPTAGENT_MODEL" not in os.environ and "OPENAI_API_KEY" not in os.environ
    child = subprocess.run(
        [sys.executable, "-c", "from agent.config import *; "
         "print(user_config_file()); print(load_settings().cache_path)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    for line in child.stdout.splitlines():
        assert Path(line).is_relative_to(base), line
