from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "Site accounts"
    name = "accounts"

    def ready(self) -> None:
        # Registers the OpenAPI extensions (they register on import).
        from tennisbook.api import schema  # noqa: F401

        from . import schema as accounts_schema  # noqa: F401
