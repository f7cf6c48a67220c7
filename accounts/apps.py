from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "Site accounts"
    name = "accounts"
