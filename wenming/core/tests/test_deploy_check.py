"""`check --deploy` is clean with the production environment docs/operations.md documents, and
says what is wrong when the SMS would go to a file or the phone keys are missing."""

import subprocess
import sys

PRODUCTION = {
    "WENMING_SECRET_KEY": "k" * 20 + "Q7#vX9!mZ2@pL4$wR8%tY6^uI0&oP3*aS5(dF1)gH",
    "WENMING_ALLOWED_HOSTS": "wenming.example.cn",
    "WENMING_CSRF_TRUSTED_ORIGINS": "https://wenming.example.cn",
    "WENMING_HSTS_SECONDS": "31536000",
    "WENMING_HSTS_INCLUDE_SUBDOMAINS": "1",
    "WENMING_HSTS_PRELOAD": "1",
    "WENMING_SSL_REDIRECT": "1",
    "WENMING_SMS_BACKEND": "wenming.core.identity.sms.TencentCloudBackend",
    # test-only keys (`wenming phones new-key`)
    "WENMING_PHONE_KEYS": "Fdfi8IGJuGAvQzwzHCUR4-8mobJJrSw3VSalzsEmW_Q=",
    "WENMING_PHONE_HASH_KEYS": "ltGqsJtj9K3VBK6bwBNY0WtZ_z2FY0TLaPi7IgHKTU8=",
}


def deploy_check(tmp_path, **env):
    return subprocess.run([sys.executable, "-m", "wenming", "manage", "check", "--deploy"], capture_output=True,
                          text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "WENMING_DATA_DIR": str(tmp_path), **PRODUCTION, **env})


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path):
    run = deploy_check(tmp_path)
    assert run.returncode == 0, run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout


def test_the_file_outbox_in_production_is_an_error(tmp_path):
    run = deploy_check(tmp_path, WENMING_SMS_BACKEND="wenming.core.identity.sms.FileOutboxBackend")
    assert run.returncode != 0 and "wenming.E001" in run.stderr
    assert deploy_check(tmp_path, WENMING_SMS_BACKEND="wenming.core.identity.sms.FileOutboxBackend",
                        WENMING_SMS_OUTBOX="1").returncode == 0


def test_the_documented_environment_names_every_variable_the_test_gives(tmp_path):
    from pathlib import Path

    documented = (Path(__file__).resolve().parents[3] / "docs" / "operations.md").read_text()
    block = documented.split("## Production environment", 1)[1].split("wenming manage check --deploy", 1)[0]
    assert all(name in block for name in PRODUCTION)  # as NAME=… or NAME_FILE=…


def test_production_without_phone_keys_is_an_error(tmp_path):
    for missing in ("WENMING_PHONE_KEYS", "WENMING_PHONE_HASH_KEYS"):
        run = deploy_check(tmp_path, **{missing: ""})
        assert run.returncode != 0 and "wenming.E002" in run.stderr and "must be set in production" in run.stderr
    run = deploy_check(tmp_path, WENMING_PHONE_KEYS="not-a-key")
    assert run.returncode != 0 and "wenming.E002" in run.stderr and "is not a Fernet key" in run.stderr
    run = deploy_check(tmp_path, WENMING_PHONE_HASH_KEYS="short")
    assert run.returncode != 0 and "shorter than 32 characters" in run.stderr


def test_the_file_outbox_refuses_to_send_where_it_is_not_allowed(settings):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from wenming.core.identity import sms

    settings.SMS_OUTBOX_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        sms.get_backend().send_code("13800138000", "123456")
    assert not sms.FileOutboxBackend.path().exists()
