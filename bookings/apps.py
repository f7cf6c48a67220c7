from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self) -> None:
        # Registers the table model; connects the receivers.
        from . import dynamo, signals  # noqa: F401
