"""System checks of Wenming's own settings (`wenming manage check --deploy`)."""

from django.conf import settings
from django.core import checks

OUTBOX = "wenming.core.identity.sms.FileOutboxBackend"


@checks.register(checks.Tags.security, deploy=True)
def sms_goes_to_phones(app_configs, **kwargs):
    if settings.SMS_BACKEND == OUTBOX and not settings.SMS_OUTBOX_ALLOWED:
        return [checks.Error("SMS codes would be written to a file in the data dir, not sent",
                             hint="set WENMING_SMS_BACKEND to TencentCloudBackend or AliyunBackend "
                                  "(docs/operations.md), or WENMING_SMS_OUTBOX=1 to keep the file on purpose",
                             id="wenming.E001")]
    return []
