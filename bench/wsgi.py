"""The production WSGI app (wenming.wsgi, with its start-up tuning) plus a hello-world view,
so a benchmark can compare against the same server with the same middleware."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")

import django

django.setup()
from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.urls"

from wenming.wsgi import application  # noqa: E402, F401
