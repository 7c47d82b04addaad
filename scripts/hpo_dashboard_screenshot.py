"""Screenshot of an LLMSampler study in optuna-dashboard: one trial's page, whose user
attributes carry the LLM's cost for that trial (calls, tokens, cache hits, seconds) and which
part proposed it.

Runs the quickstart study (examples/hpo_quickstart.py: its objective and problem text) into a
temporary SQLite storage, serves it with optuna-dashboard's WSGI app on 127.0.0.1 (a free
port, in a thread), opens the trial page in headless Chromium through Selenium
(tests/_browser.py: the system chromium and chromedriver, as the viewer's browser test uses
them) and saves a small PNG:

    python scripts/hpo_dashboard_screenshot.py                 # the scripted fake model
    python scripts/hpo_dashboard_screenshot.py --model local   # the embedded model (slow on CPU)

Needs: pip install -e '.[hpo,dev]' (optuna, optuna-dashboard, selenium) and
apt-get install chromium chromium-driver.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import optuna
from optuna_dashboard import wsgi

from agent.hpo import LLMSampler, ScriptedHPOFakeBackend
from agent.llm import LLM, load
from evals.bench._test_harness import harness

ROOT = Path(__file__).resolve().parents[1]
COST_ATTRS = ("llm_calls", "llm_tokens", "llm_cache_hits", "llm_seconds")
#: The dashboard shows user attributes in a box of fixed height that scrolls (and the gate's
#: JSON runs off to the right): let the box and its parents grow and wrap, so that every
#: attribute is in the picture.
UNCLIP = """
let el = arguments[0];
for (let i = 0; i < 4 && el; i++, el = el.parentElement) {
    el.style.maxHeight = 'none'; el.style.height = 'auto'; el.style.overflow = 'visible';
    el.style.whiteSpace = 'pre-wrap'; el.style.overflowWrap = 'anywhere';
}
"""


def _quickstart() -> ModuleType:
    """examples/hpo_quickstart.py (examples/ is not a package): its objective and PROBLEM."""
    path = ROOT / "examples" / "hpo_quickstart.py"
    spec = importlib.util.spec_from_file_location("hpo_quickstart", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_study(storage: str, model: str, trials: int) -> optuna.Study:
    """The quickstart study with LLMSampler on ``model`` ("fake": the scripted fake)."""
    quickstart = _quickstart()
    llm = LLM(ScriptedHPOFakeBackend(seed=0)) if model == "fake" else load(model)
    sampler = LLMSampler(
        llm=llm,
        problem_description=quickstart.PROBLEM,
        seed=0,
        n_candidates=4,
        n_surrogate_samples=2,
    )
    study = optuna.create_study(
        study_name="gradient-descent", storage=storage, sampler=sampler, direction="minimize"
    )
    study.optimize(quickstart.objective, n_trials=trials)
    return study


def shown_trial(study: optuna.Study) -> optuna.trial.FrozenTrial:
    """The last complete trial the model proposed (its cost attributes are non-zero)."""
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    by_model = [t for t in complete if t.user_attrs.get("llm_calls")]
    if not by_model:
        raise SystemExit("no complete trial was proposed by the model; run more --trials")
    return by_model[-1]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""


def screenshot(url: str, out: Path, profile: Path, width: int, height: int) -> None:
    """Open ``url`` in headless Chromium, wait for the cost attributes, save ``out``."""
    from selenium.webdriver.common.by import By

    driver = harness("_browser").headless_chromium(profile, width, height)
    try:
        driver.get(url)
        deadline = time.monotonic() + 120
        while not all(name in driver.page_source for name in COST_ATTRS):
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} never showed the attributes {COST_ATTRS}")
            time.sleep(0.5)
        time.sleep(1.0)  # let the page finish laying out
        shown = driver.find_element(By.XPATH, "//*[contains(text(), 'llm_tokens')]")
        driver.execute_script(UNCLIP, shown)
        time.sleep(0.5)
        bottom = driver.execute_script("return arguments[0].getBoundingClientRect().bottom;", shown)
        if bottom > driver.execute_script("return window.innerHeight;"):
            raise SystemExit(f"llm_tokens lies below the window; pass a taller --size ({bottom})")
        out.parent.mkdir(parents=True, exist_ok=True)
        if not driver.save_screenshot(str(out)):
            raise SystemExit(f"chromium could not write {out}")
    finally:
        driver.quit()


def shrink(path: Path, colors: int = 64) -> None:
    """Re-save the PNG with a small palette (a UI screenshot needs few colours)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=colors)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="fake", help="model spec, or fake (default)")
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--out", type=Path, default=ROOT / "docs/images/hpo-dashboard-cost.png")
    parser.add_argument("--size", default="1400,1300", help="window WIDTH,HEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split(","))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="optagent-dashboard-") as tmp:
        storage = f"sqlite:///{tmp}/study.db"
        study = run_study(storage, args.model, args.trials)
        trial = shown_trial(study)
        server = make_server("127.0.0.1", 0, wsgi(storage), handler_class=_Quiet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            port = server.server_address[1]
            study_id = study._study_id
            url = f"http://127.0.0.1:{port}/dashboard/studies/{study_id}/trials?numbers={trial.number}"
            screenshot(url, args.out, Path(tmp) / "chromium", width, height)
        finally:
            server.shutdown()
            server.server_close()
    shrink(args.out)
    costs = ", ".join(f"{name} {trial.user_attrs.get(name)}" for name in COST_ATTRS)
    print(f"trial {trial.number} ({trial.user_attrs.get('llm_source')}): {costs}")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
