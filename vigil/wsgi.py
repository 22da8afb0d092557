"""WSGI entry point: `gunicorn vigil.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")

application = get_wsgi_application()
