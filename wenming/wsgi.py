import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the URL conf, the apps) lives as long as the process: move
# it out of the collector's sight, and collect the young generation less often (a request
# makes thousands of short-lived objects, almost none of them in cycles).
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 50, 100)
