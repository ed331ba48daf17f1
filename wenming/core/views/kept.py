"""A photo kept across a form error, shown again on the re-rendered form (core.kept_uploads).
Only its owner sees it: the token is signed and bound to the user or session that uploaded it."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from wenming.core import kept_uploads
from wenming.core.uploads import UploadRejected


@require_GET
def kept_photo(request, token):
    owner = kept_uploads.owner_of(request, create=False)  # no session is made on a GET
    try:
        if owner is None:
            raise UploadRejected("")
        name = kept_uploads.preview_name(token, owner)
    except UploadRejected:
        raise Http404("照片不存在或已失效") from None
    response = FileResponse(default_storage.open(name), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
