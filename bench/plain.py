"""Django's hello-world in a project as `django-admin startproject` makes it (its apps and its
default middleware), served by the same granian settings: the figure the vote issue quotes
"for scale" (9–11k req/s on granian WSGI, 2 workers, on the machine the targets were set on).
Printed beside the results so that a run on a slower or faster machine says so itself.

    granian --interface wsgi --factory bench.plain:application   (DJANGO_SETTINGS_MODULE=bench.plain)

The module is the project's settings and its URL conf at once; the view touches no database."""

import os
import tempfile

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-only-not-a-secret"  # a throw-away server on 127.0.0.1
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bench.plain"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.path.join(tempfile.gettempdir(), "wenming-bench-plain.sqlite3")}}
USE_TZ = True
STATIC_URL = "static/"


def hello(request):
    return HttpResponse("Hello, world")


urlpatterns = [path("bench/hello/", hello)]


def application():
    """granian's factory: the WSGI handler of this project."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.plain"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
