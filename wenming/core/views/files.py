from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from wenming.core import files


@csrf_exempt  # it changes nothing and takes only GET/HEAD: any other method is a plain 405
@require_safe
def file(request, token):
    """A stored file, if the viewer may see it (rules registered by the apps); else 404."""
    return files.serve(request, token)
