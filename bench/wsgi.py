"""The production WSGI app plus a hello-world view, so a benchmark can compare against the
same server with the same middleware."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")

import django

django.setup()
from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
