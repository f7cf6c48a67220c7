from django.apps import AppConfig


class ConfigsConfig(AppConfig):
    name = "configs"
    verbose_name = "Configuration"

    def ready(self) -> None:
        # Registers the table models; connects the receivers.
        from . import dynamo, signals  # noqa: F401
