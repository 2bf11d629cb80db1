from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "flokk.teams"
    label = "teams"
    verbose_name = "Teams"

    def ready(self) -> None:
        from flokk.teams import signals  # noqa: F401  (sign-in auditing)
