"""`flokk`: Django's management commands, plus Flokk's own `up`, `demo`, `token` and `worker`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flokk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["flokk", *sys.argv[1:]])


if __name__ == "__main__":
    main()
