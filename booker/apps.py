from django.apps import AppConfig


class BookerConfig(AppConfig):
    name = "booker"
