"""Regenerate the saved portal pages in tests/fixtures/democlub/.

Run ``python -m tests.democlub.save_fixtures`` from the project root. It
starts a real democlub on a fixed portal clock and saves each page of the
member flow and each reply, for the engine's page-object tests.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from democlub.testing import start_portal
from tests.democlub.conftest import WebMember

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "democlub"
DAY, LATER, SLOT = "2031-3-12", "2031-3-13", "De 07:00 AM a 08:00 AM"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data, start_portal(Path(data), demo=True) as portal:
        control = portal.control
        control.set_area(5, member_quota=1)
        control.add_member("202", "otra-clave")
        control.set_clock(now="2031-03-04T00:00:05-06:00")
        pages: dict[str, str] = {}
        member = WebMember(portal.url, "101", "cancha-demo-101")
        pages["login"] = member.get("/")[2]
        pages["dashboard"] = member.post(
            "/login.php", {"house": "101", "password": "cancha-demo-101"}
        )[2]
        pages["pre_reservations"] = member.get("/pre_reservations.php")[2]
        pages["reservations"] = member.get("/reservations.php", area=5)[2]
        pages["new_reservation"] = member.get("/new_reservation.php", day=DAY, area=5)[2]
        ids = member.schedule_ids(5, DAY)
        fields = {"area": 5, "day": DAY, "schedule": ids[SLOT], "comments": ""}
        add = "/utilities/process/actions/add_reservation.php"
        pages["reply_success"] = member.post(add, fields)[2]
        pages["day_reservations"] = member.get("/day_reservations.php", day=DAY, area=5)[2]
        pages["reply_quota"] = member.post(
            add, {**fields, "schedule": ids["De 08:00 AM a 09:00 AM"]}
        )[2]
        later = member.schedule_ids(5, LATER)
        pages["reply_not_open"] = member.post(
            add, {**fields, "day": LATER, "schedule": later[SLOT]}
        )[2]
        other = WebMember(portal.url, "202", "otra-clave")
        other.login()
        pages["reply_slot_taken"] = other.post(add, fields)[2]
        pages["my_reservations"] = member.get("/my_reservations.php")[2]
        pages["login_expired"] = member.get("/", expired=1)[2]
        for name, body in pages.items():
            (OUT / f"{name}.html").write_text(body, encoding="utf-8")
        door = portal.door("101", "cancha-demo-101")
        replies = {
            "get_schedules": door.schedules(5, DAY)[1],
            "get_reservations": door.reservations()[1],
            "add_reservation_not_open": door.add_reservation(
                5, LATER, later[SLOT] and int(later[SLOT]) - 2
            )[1],
        }
        (OUT / "door_replies.json").write_text(
            json.dumps(replies, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
