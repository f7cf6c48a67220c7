from django.apps import AppConfig


class ConfigsConfig(AppConfig):
    name = "configs"
    verbose_name = "Configuration"

    def ready(self) -> None:
        from . import dynamo  # noqa: F401 - registers the table models
