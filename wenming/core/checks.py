"""System checks of Wenming's own settings (`wenming manage check --deploy`): wenming.E001 the SMS
outbox, wenming.E002 the phone keys."""

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


@checks.register(checks.Tags.security, deploy=True)
def phone_keys_given(app_configs, **kwargs):
    """Phone numbers at rest need keys of their own (core.fields); debug, the demo and tests
    derive them from the secret key, production must not."""
    from wenming.core.fields import key_problems

    return [checks.Error(problem, hint="generate keys with `wenming phones new-key` and keep them apart from the "
                                       "backups (docs/operations.md, \"Phone numbers at rest\")", id="wenming.E002")
            for problem in key_problems(settings.PHONE_KEYS, settings.PHONE_HASH_KEYS)]
