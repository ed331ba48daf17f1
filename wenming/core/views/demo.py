from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wenming.core.identity.sms import FileOutboxBackend
from wenming.core.validators import mask_phone


@require_GET
def outbox(request):
    """Demo only: the SMS messages the file backend 'sent'. Absent in production."""
    if not settings.DEMO_MODE:
        raise Http404("页面不存在")
    messages = FileOutboxBackend.read()
    for message in messages:
        message["masked_phone"] = mask_phone(message.get("phone", ""))
    return render(request, "core/outbox.html", {"messages_sent": messages})
