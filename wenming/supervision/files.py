"""Who may see a supervision photo (registered with core's file view in apps.py): a finding's
photo as its inspection, an evidence photo as its rectification order — the office, the
district bureau of the record, the company it concerns (never a photo of an unannounced
inspection not yet submitted). Everyone else gets 404."""

from wenming.core import files
from wenming.supervision.models import Inspection, Photo
from wenming.supervision.services import visible_inspections, visible_orders


def _owner(name):
    return Photo.objects.select_related("finding", "evidence").filter(image=name).first()


def _allow(request, photo):
    user = request.user
    if not user.is_authenticated:
        return False
    if photo.finding_id:
        return visible_inspections(user, Inspection.objects.filter(pk=photo.finding.inspection_id)).exists()
    if photo.evidence_id:
        return visible_orders(user).filter(pk=photo.evidence.order_id).exists()
    return False


def register():
    files.register(Photo.FILE_KIND, owner=_owner, allow=_allow)
