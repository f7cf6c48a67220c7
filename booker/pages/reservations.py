"""The member's own reservation list: the truth about what was booked.

Many portals fill the list by script after the page has loaded, so the
rows are read only once the profile's ``ready`` locator is present (a
"loaded" marker), and, with ``settle_ms``, once the row count has stopped
changing for that long. The cells' texts are then turned into comparable
fields by ``booker.rows``.
"""

from __future__ import annotations

import time

from ..rows import normalize_row
from .base import POLL_S, Page, PageError

_ROWS_JS = """
const rows = Array.from(document.querySelectorAll(arguments[0]));
return rows.map(row => {
  const out = {id: row.getAttribute(arguments[1]) || ''};
  for (const [name, css] of Object.entries(arguments[2])) {
    const cell = row.querySelector(css);
    out[name] = cell ? cell.textContent.trim() : '';
  }
  return out;
});
"""


class ReservationList(Page):
    def rows(self, context: dict | None = None) -> list[dict]:
        """Every reservation row: ``{"id", "day", "slot" or "start"/"end", ...}``.

        ``context`` fills the list URL's placeholders (``PortalSession.list_context``).
        """
        spec = self.profile["reservations"]
        self.driver.switch_to.default_content()
        self.driver.get(self.url(spec["url"].format(**(context or {}))))
        if spec.get("ready"):
            self._await_ready(spec)
        else:
            self.find({"css": "body"})
        cells = self._cells(spec)
        if spec.get("settle_ms"):
            cells = self._settled(spec, cells)
        return [normalize_row(row, spec) for row in cells]

    def _await_ready(self, spec: dict) -> None:
        """Until the ``ready`` marker shows; a ``failed`` marker (the script gave up) ends it."""
        failed = spec.get("failed")
        if failed is None:
            self.find(spec["ready"], timeout=spec["timeout_s"])
            return
        either = {"css": f"{spec['ready']['css']}, {failed['css']}"}
        self.find(either, timeout=spec["timeout_s"])
        if self.exists(failed) and not self.exists(spec["ready"]):
            raise PageError(f"the reservation list failed to load ({failed['css']!r} shown)")

    def _cells(self, spec: dict) -> list[dict]:
        return self.driver.execute_script(
            _ROWS_JS, spec["row"]["css"], spec["id_attribute"], spec["fields"]
        )

    def _settled(self, spec: dict, cells: list[dict]) -> list[dict]:
        """Re-read until the row count holds for ``settle_ms`` (at most ``timeout_s``)."""
        quiet_s, deadline = spec["settle_ms"] / 1000, time.monotonic() + spec["timeout_s"]
        since = time.monotonic()
        while time.monotonic() - since < quiet_s and time.monotonic() < deadline:
            time.sleep(POLL_S)
            again = self._cells(spec)
            if len(again) != len(cells):
                since = time.monotonic()
            cells = again
        return cells
