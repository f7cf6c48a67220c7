"""HTML of the grid's pages, as ``string.Template`` texts.

The ids, classes, field names and texts are the contract the booking
engine's grid profile is written against (see democlub/README.md); the look
lives in ``/static/grid.css``. Every value is escaped by the caller via ``esc``.
"""

from __future__ import annotations

from string import Template

from democlub.grid import messages as msg
from democlub.pages import esc

_LAYOUT = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title - Court booking</title>
<link rel="stylesheet" href="/static/grid.css">
<script src="/static/grid.js" defer></script>
</head>
<body>
<header class="top">
<span class="brand">Court booking</span>
<nav aria-label="Main">
<a href="/day">Day</a>
<a href="/bookings?member=$member">My bookings</a>
<a href="/logout">Log out</a>
</nav>
</header>
<main id="content">
$body
</main>
</body>
</html>
""")


def page(title: str, body: str, member: str | None = None) -> str:
    """A whole page in the layout; ``member`` is the viewer's username for the nav."""
    return _LAYOUT.substitute(title=esc(title), body=body, member=esc(member or ""))


def errorlist(message: str | None) -> str:
    if not message:
        return ""
    return f'<div role="alert"><ul class="errorlist"><li>{esc(message)}</li></ul></div>'


LOGIN = Template("""<h1>Log in</h1>
$errors
<form id="login-form" method="post" action="/login">
<input type="hidden" name="csrf_token" value="$csrf">
<input type="hidden" name="next" value="$next">
<p><label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="$username"></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button id="login-button" type="submit">Log in</button></p>
</form>""")

DAY = Template("""<h1>$title</h1>
$flash
<p class="day-nav">
<a id="prev-day" href="/day?date=$prev">&larr; Previous day</a>
<a id="next-day" href="/day?date=$next">Next day &rarr;</a>
</p>
<table id="day-grid" data-date="$date">
<thead><tr><th scope="col">Time</th>$courts</tr></thead>
<tbody>
$rows
</tbody>
</table>""")

BOOK = Template("""<h1>Book $court_name</h1>
<p class="when">$date_title</p>
$errors
<form id="booking-form" method="post" action="/book">
<input type="hidden" name="csrf_token" value="$csrf">
<input type="hidden" name="court" value="$court">
<input type="hidden" name="date" value="$date">
<p><label for="start">Start time</label>
<select id="start" name="start" data-duration="$duration">
<option value="">Choose a start time</option>
$options
</select>
<span id="end-label" aria-live="polite"></span></p>
<input type="hidden" id="end_time" name="end_time" value="">
<p><label for="notes">Notes</label>
<textarea name="notes" id="notes" rows="3" cols="40">$notes</textarea></p>
<p><button id="book-button" type="submit">Book</button></p>
</form>
<p><a href="/day?date=$date">Back to the day</a></p>""")

BOOK_UNKNOWN = Template("""<h1>Book a court</h1>
$errors
<p><a href="/day">Back to the day</a></p>""")

BOOKINGS = Template("""<h1>Search bookings</h1>
$errors
<form id="search" method="get" action="/bookings">
<p><label for="member">Member</label>
<input id="member" name="member" value="$member">
<button type="submit">Search</button></p>
</form>
<table id="results" data-state="loading" data-viewer="$viewer" data-csrf-token="$csrf">
<thead><tr><th scope="col">When</th><th scope="col">Court</th><th scope="col">Length</th>
<th scope="col">Member</th><th scope="col">Ref</th><th scope="col">Actions</th></tr></thead>
<tbody></tbody>
</table>""")

SERVER_ERROR = page("Server error", f"<h1>Server error</h1><p>{esc(msg.SERVER_ERROR)}</p>")
