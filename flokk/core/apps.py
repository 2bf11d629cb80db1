from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "flokk.core"
    label = "core"
    verbose_name = "Flokk core"
