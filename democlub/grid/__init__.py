"""The grid kind: a self-hosted, English, MRBS-like court-booking system.

``python -m democlub --kind grid`` serves it on the shared machinery (portal,
store, settings, control API, competitors, server); this package is only its
web layer: ``routes`` (the URL map and static files), ``auth`` (sessions and
the per-page CSRF token), ``views`` (login, day grid, search), ``book`` (the
booking form and attempt), ``pages`` (HTML) and ``messages`` (English
replies). Its static files live in ``democlub/static/grid/``.
"""
