"""``python -m tennisbook.web``: daphne, with its access log free of secrets.

Exactly daphne's command line (``python -m daphne``'s options), except that
each access-log line goes through ``tennisbook.logging.redact`` first: a
calendar feed's token and a share link's secret are in their URL paths,
and daphne writes those paths to its access log itself, outside Python's
logging (where ``RedactSecrets`` covers Django's own lines).
"""

from __future__ import annotations

from daphne import cli
from daphne.access import AccessLogGenerator

from tennisbook.logging import redact


class RedactedAccessLog(AccessLogGenerator):
    def write_entry(self, host, date, request, status=None, length=None, ident=None, user=None):
        super().write_entry(host, date, redact(request), status, length, ident, user)


def main() -> None:
    cli.AccessLogGenerator = RedactedAccessLog  # the class daphne's command line builds
    cli.CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
