"""What a failed run leaves for the member and the operator: screenshot, page, reply."""

from __future__ import annotations

import base64
from pathlib import Path

from selenium.common.exceptions import WebDriverException

from .browser import BrowserSession
from .submit import Reply


def keep_evidence(
    browser: BrowserSession | None, directory: Path, name: str, reply: Reply | None, notes: list
) -> dict:
    """Files under ``directory``: the reply, and with a browser a screenshot + HTML.

    Problems are appended to ``notes`` (evidence is best effort). Without a
    browser (released for scale mode) the reply's body is all there is.
    """
    if browser is None:
        return _keep_reply(directory, name, reply, notes)
    evidence: dict = {}
    html = None
    try:
        if reply is not None and reply.body and reply.kind == "json":
            evidence = _keep_reply(directory, name, reply, notes)
        elif reply is not None and reply.body:
            html = reply.body
            encoded = base64.b64encode(html.encode()).decode()
            browser.driver.switch_to.default_content()
            browser.driver.get(f"data:text/html;charset=utf-8;base64,{encoded}")
    except (WebDriverException, OSError) as exc:
        notes.append(f"evidence: {exc}")
    evidence.update(browser.save_evidence(directory, name, html))
    return evidence


def _keep_reply(directory: Path, name: str, reply: Reply | None, notes: list) -> dict:
    if reply is None or not reply.body:
        return {}
    suffix = "json" if reply.kind == "json" else "html"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}-reply.{suffix}"
        path.write_text(reply.body, "utf-8")
    except OSError as exc:
        notes.append(f"evidence: {exc}")
        return {}
    return {"reply": str(path)}
