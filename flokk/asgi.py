"""ASGI entry point (uvicorn flokk.asgi:application)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flokk.settings")
application = get_asgi_application()
