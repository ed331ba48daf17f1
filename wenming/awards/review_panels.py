"""Panels beside an application in review (seed 七(3): the supervision record goes with the
candidate). A panel is a callable (application, user) -> {"title", "rows": [(label, value)],
"warning": bool} or None; awards renders them without knowing where they come from.

The panels come from apps that stand beside awards, which awards never imports and which never
register into awards (DESIGN). The project, the layer above both, composes them: settings'
REVIEW_PANELS lists them by dotted path."""

from django.conf import settings
from django.utils.module_loading import import_string


def panels_for(application, user):
    return [p for p in (import_string(path)(application, user) for path in settings.REVIEW_PANELS) if p]
