from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "flokk.strategy"
    label = "strategy"
    verbose_name = "Strategy"
