"""Headless Chromium sessions: one isolated browser per account, always closed.

Explicit binary and driver paths (Selenium Manager would try the network
first), a fresh ``--user-data-dir`` per session so no cookie or cache leaks
between members, and ``quit()`` plus removal of that directory however the
session ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Flags measured to work headless as root on these hosts (STACK-NOTES.md).
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--window-size=1280,900",
)


@dataclass(frozen=True)
class BrowserSettings:
    binary: str = "/usr/bin/chromium"
    driver: str = "/usr/bin/chromedriver"
    page_load_timeout_s: float = 20.0


class BrowserSession:
    """A WebDriver plus its private profile directory; use as a context manager."""

    def __init__(self, settings: BrowserSettings, label: str = "account"):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_AVOID_STATS", "true")
        self.profile_dir = tempfile.mkdtemp(prefix=f"tennisbook-{_safe(label)}-")
        options = webdriver.ChromeOptions()
        options.binary_location = settings.binary
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={self.profile_dir}"):
            options.add_argument(flag)
        # Return from driver.get() at DOMContentLoaded: the portal's pages are
        # usable then, and waiting for images would only cost time.
        options.page_load_strategy = "eager"
        try:
            self.driver = webdriver.Chrome(options=options, service=Service(settings.driver))
        except Exception:
            shutil.rmtree(self.profile_dir, ignore_errors=True)
            raise
        self.driver.implicitly_wait(0)
        self.driver.set_page_load_timeout(settings.page_load_timeout_s)

    def close(self) -> None:
        driver, self.driver = getattr(self, "driver", None), None
        try:
            if driver is not None:
                driver.quit()
        finally:
            shutil.rmtree(self.profile_dir, ignore_errors=True)

    def __enter__(self) -> BrowserSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_evidence(self, directory: Path, name: str, html: str | None = None) -> dict:
        """A screenshot and the page's HTML (or ``html`` when given) under ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        evidence = {}
        page = directory / f"{name}.html"
        try:
            page.write_text(html if html is not None else self.driver.page_source, "utf-8")
            evidence["html"] = str(page)
        except Exception:  # noqa: S110 - evidence is best effort; the result says what failed
            pass
        shot = directory / f"{name}.png"
        try:
            self.driver.switch_to.default_content()
            if self.driver.get_screenshot_as_file(str(shot)):
                evidence["screenshot"] = str(shot)
        except Exception:  # noqa: S110
            pass
        return evidence


def _safe(label: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in label)[:30] or "account"
