"""The reservation form (reached through the profile's navigation steps)."""

from __future__ import annotations

import time

from .base import POLL_S, Page, PageError

_SNAPSHOT_JS = """
const form = document.querySelector(arguments[0]);
const select = document.querySelector(arguments[1]);
if (!form || !select) { return null; }
const fields = {};
new FormData(form).forEach((value, key) => { fields[key] = String(value); });
const options = Array.from(select.options)
  .filter(o => o.value !== '').map(o => [o.text.trim(), o.value]);
return {action: form.action, method: (form.method || 'post').toUpperCase(),
        schedule_name: select.name, fields: fields, options: options};
"""

# Choose the slot, set the profile's fields (a computed one the form lacks is
# added as a hidden input), then submit. No change event is fired: a page
# whose select submits or reloads on change would act before the instant;
# what its script would derive (an end time) is a computed field instead.
_CHOOSE_AND_SUBMIT_JS = """
const form = document.querySelector(arguments[0]);
document.querySelector(arguments[1]).value = arguments[2];
for (const [name, value] of Object.entries(arguments[3])) {
  let field = form.elements.namedItem(name);
  if (!field) {
    field = document.createElement('input');
    field.type = 'hidden';
    field.name = name;
    form.appendChild(field);
  }
  field.value = value;
}
if (arguments[4]) { HTMLFormElement.prototype.submit.call(form); }
return true;
"""


class ReservationForm(Page):
    """Opens the form for a court and date, reads it, and submits it."""

    def open(self, context: dict) -> dict:
        """Run the profile's ``open_form`` steps; returns captured values."""
        return self.run_steps(self.profile["navigation"]["open_form"], context)

    def snapshot(self) -> dict:
        """The form as data: action URL, method, fields, and (label, id) options."""
        spec = self.profile["form"]
        self.find({"css": spec["schedule"]})
        data = self.driver.execute_script(_SNAPSHOT_JS, spec["form"], spec["schedule"])
        if data is None:
            raise PageError(f"form not found: {spec['form']!r}")
        return data

    def fill(self, schedule_id: str, computed: dict[str, str] | None = None) -> None:
        """Choose the slot (and fill the profile's extra fields) without submitting.

        ``computed``: the profile's computed template fields for this slot
        (``PortalSession.computed_fields``); tokens are the live page's own.
        """
        spec = self.profile["form"]
        fields = {**spec["fields"], **(computed or {})}
        self.driver.execute_script(
            _CHOOSE_AND_SUBMIT_JS, spec["form"], spec["schedule"], schedule_id, fields, False
        )

    def submit(self, schedule_id: str, computed: dict[str, str] | None = None) -> int:
        """Choose and submit in one script call; returns the wall clock just before it."""
        spec = self.profile["form"]
        fields = {**spec["fields"], **(computed or {})}
        sent = time.time_ns()
        self.driver.execute_script(
            _CHOOSE_AND_SUBMIT_JS, spec["form"], spec["schedule"], schedule_id, fields, True
        )
        return sent

    def reply(self, timeout: float = 15.0) -> tuple[str, str]:
        """(message text, page HTML) of the reply that replaced the form."""
        locator = self.profile["reply"]["message"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exists(locator):
                return self.text_of(locator), self.driver.page_source
            if not self.exists({"css": self.profile["form"]["form"]}):
                body = self.driver.execute_script(
                    "return document.body ? document.body.innerText : ''"
                )
                if body and body.strip():
                    # A reply without the message element (a 500 page, a login page).
                    return body.strip()[:2000], self.driver.page_source
            time.sleep(POLL_S)
        return "", self.driver.page_source
