"""The member's own reservation list: the truth about what was booked."""

from __future__ import annotations

from .base import Page

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
    def rows(self) -> list[dict]:
        """Every reservation row: ``{"id", "day", "slot", "area_name"?}``."""
        spec = self.profile["reservations"]
        self.driver.switch_to.default_content()
        self.driver.get(self.url(spec["url"]))
        self.find({"css": "body"})
        return self.driver.execute_script(
            _ROWS_JS, spec["row"]["css"], spec["id_attribute"], spec["fields"]
        )
