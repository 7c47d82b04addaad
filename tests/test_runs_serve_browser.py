"""`optagent runs serve` in a real headless browser (Debian's chromium + chromium-driver).

Opens the runs list and a run page, counts the chart's points, lets a scripted run in
progress append trials and sees the chart grow without a reload, then opens a diff.
Screenshots go to the test's tmp folder (and to OPTAGENT_SCREENSHOT_DIR when set; the
README's docs/images/runs-serve.png is the run page from there).

Without the browser the test skips, except in CI (``CI`` or ``OPTAGENT_REQUIRE_BROWSER`` set;
.ci/run sets the latter), where it fails: .ci/run installs chromium and chromium-driver.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.core import RunReader
from tests._browser import CHROMIUM, DRIVER, headless_chromium
from tests._runs_support import GatedRun, scripted_run

REQUIRED = bool(os.environ.get("CI") or os.environ.get("OPTAGENT_REQUIRE_BROWSER"))


def _missing(what: str) -> None:
    message = f"{what}; install with: apt-get install chromium chromium-driver"
    if REQUIRED:
        pytest.fail(message + " (CI must run the browser tests)")
    pytest.skip(message)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for path in (CHROMIUM, DRIVER):
        if not os.access(path, os.X_OK):
            _missing(f"{path} is missing")
    try:
        import selenium  # noqa: F401 - only whether it is installed
    except ImportError:
        _missing("selenium is not installed (pip install 'optagent[dev]')")
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must download nothing
    driver = headless_chromium(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The viewer over ``tmp_path/runs`` on a free port, in a thread."""
    uvicorn = pytest.importorskip("uvicorn")
    from agent.serve import create_app

    runs = tmp_path / "runs"
    runs.mkdir()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app([runs])
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}", runs
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _wait(condition, timeout: float = 90.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _shot(driver, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000
    extra = os.environ.get("OPTAGENT_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


def _ok(run: Path) -> int:
    return sum(t.status == "ok" for t in RunReader(run).trials)


def test_a_live_run_grows_in_the_browser(browser, server, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    base, runs = server
    scripted_run(runs / "finished-run", steps=3)
    live = GatedRun(runs / "live-run")
    try:
        live.release(4)
        _wait(lambda: _ok(runs / "live-run") == 4, what="4 scored trials")

        driver.get(base + "/")
        table = driver.find_element(By.ID, "runs").text
        assert "live-run" in table and "finished-run" in table and "running" in table
        _shot(driver, tmp_path, "runs-list")

        driver.find_element(By.LINK_TEXT, "live-run").click()
        count = "return document.getElementById('curve').data[0].x.length"
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(count) == 4)
        driver.execute_script("window.notReloaded = 42")
        live.release(3)
        _wait(lambda: _ok(runs / "live-run") == 7, what="3 more scored trials")
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(count) == 7)
        assert driver.execute_script("return window.notReloaded") == 42, "the page reloaded"
        reader = RunReader(runs / "live-run")
        assert driver.find_element(By.ID, "trials").text == str(len(reader.trials))
        chart_y = driver.execute_script("return document.getElementById('curve').data[0].y")
        assert chart_y == [y for _, y in reader.curve()]

        changed = next(
            i
            for i, trial in enumerate(reader.trials)
            if reader.best_before(i) is not None
            and trial.candidate != reader.trials[reader.best_before(i)].candidate
        )
        driver.refresh()  # the trial table is server-rendered: show the new rows
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(count) == 7)
        _shot(driver, tmp_path, "runs-serve")
        driver.find_element(By.CSS_SELECTOR, f'a[href="/runs/live-run/trials/{changed}"]').click()
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "diff"))
        added = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#diff pre ins")]
        removed = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#diff pre del")]
        assert added and removed
        new = reader.trials[changed].candidate
        old = reader.trials[reader.best_before(changed)].candidate
        assert all(a in new for a in added) and all(r in old for r in removed)
        _shot(driver, tmp_path, "diff")
    finally:
        live.stop()
