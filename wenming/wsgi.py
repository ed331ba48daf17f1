import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
application = get_wsgi_application()
_ = get_resolver().url_patterns  # import the URL conf and every view module now, not on the first request

# Everything loaded so far (Django, the URL conf, the apps) lives as long as the process: move
# it out of the collector's sight, and collect the young generation less often (a request
# makes thousands of short-lived objects, almost none of them in cycles).
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 50, 100)
