"""Who may see an objection's evidence (registered with core's file view in apps.py): the
office, and the filer — the company's users, or the resident whose verified phone filed it.
Everyone else gets 404."""

from wenming.core import files
from wenming.core.access import is_office
from wenming.core.identity.phone_step import verified_resident_id
from wenming.results.models import Objection


def _owner(name):
    return Objection.objects.select_related("resident").filter(evidence=name).first()


def _allow(request, objection):
    user = request.user
    if user.is_authenticated:
        return is_office(user) or bool(objection.company_id and user.company_id == objection.company_id)
    return objection.resident_id is not None and verified_resident_id(request) == objection.resident_id


def register():
    files.register(Objection.FILE_KIND, owner=_owner, allow=_allow)
