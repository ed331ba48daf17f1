from django.views.decorators.http import require_safe

from wenming.core import files


@require_safe
def file(request, token):
    """A stored file, if the viewer may see it (rules registered by the apps); else 404."""
    return files.serve(request, token)
