"""Who may see a complaint photo (registered with core's file view): whoever may see the ticket
(the office, its district, its company) and the resident who filed it; anyone else 404."""

from wenming.complaints.models import Ticket, TicketPhoto
from wenming.core import files
from wenming.core.identity.phone_step import verified_resident_id


def _owner(name):
    return TicketPhoto.objects.select_related("ticket").filter(image=name).first()


def _allow(request, photo):
    if request.user.is_authenticated and Ticket.objects.visible_to(request.user).filter(pk=photo.ticket_id).exists():
        return True
    return photo.ticket.resident_id is not None and verified_resident_id(request) == photo.ticket.resident_id


def register():
    files.register(TicketPhoto.FILE_KIND, owner=_owner, allow=_allow)
