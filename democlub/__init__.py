"""democlub: a controllable imitation of the club's reservation portal.

It runs as its own process (``python -m democlub``) and imports nothing from
tennisbook's apps: to the booking engine it is an external web site. The
member-facing pages and replies follow ``PORTAL.md`` (``--kind condo``, the
default) or imitate a self-hosted, English, MRBS-like booking grid
(``--kind grid``, ``democlub.grid``) on the same machinery. A small JSON
control API under ``/_control/`` lets tests and benchmarks move the portal's
clock, change release rules, inject latency and errors, add competitors and
read the attempt log.
"""
