"""Who may see an expert's on-site photo (registered with core's file view in apps.py): the
office and the expert whose sheet it belongs to. Everyone else gets 404."""

from wenming.core import files
from wenming.core.access import is_office
from wenming.judging.models import SheetPhoto


def _owner(name):
    return SheetPhoto.objects.select_related("sheet__assignment__expert").filter(image=name).first()


def _allow(request, photo):
    user = request.user
    if not user.is_authenticated:
        return False
    return is_office(user) or photo.sheet.assignment.expert.user_id == user.pk


def register():
    files.register(SheetPhoto.FILE_KIND, owner=_owner, allow=_allow)
