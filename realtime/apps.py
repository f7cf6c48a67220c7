from django.apps import AppConfig
from django.core import checks


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - logging out closes that session's sockets

        checks.register(check_vapid_keys, "realtime")


def check_vapid_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Keys that are set but wrong turn push off: say so at start-up, not only on the profile."""
    from django.conf import settings

    from . import push

    if not (settings.VAPID_PUBLIC_KEY or settings.VAPID_PRIVATE_KEY):
        return []  # push simply off
    current = push.status()
    if current.enabled:
        return []
    return [
        checks.Warning(current.reason, id="realtime.W001", hint="manage.py generate_vapid_keys")
    ]
