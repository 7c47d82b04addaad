"""Headless Chromium through Selenium, the one way the project drives a browser: Debian's
chromium and chromedriver (no download; Selenium Manager is told to stay offline).

Used by tests/test_runs_serve_browser.py and scripts/hpo_dashboard_screenshot.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"


def headless_chromium(profile: Path, width: int = 1280, height: int = 1100) -> Any:
    """A ``selenium.webdriver.Chrome`` on the system chromium, headless, with its profile in
    ``profile`` and a ``width`` x ``height`` window; the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must download nothing
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(120)
    return driver
