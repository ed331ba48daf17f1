"""PostgreSQL only: the vote function checks who votes, in the vote's own round trip.

- `p_token`: the SHA-256 of the resident's bearer token, when the caller has not looked the
  token up (a signed token names its resident: core.phones). The token must be issued,
  unexpired and this resident's, or the outcome is 'unauthorized' and nothing is written.
  NULL when the caller checked the identity itself (the phone-verified voting page).
- `p_virtual`: the campaign's virtual-operator prefixes, comma-separated (digits only, as the
  campaign preset requires); a vote from such a number is kept in quarantine with
  `p_virtual_reason`, whatever status the caller's risk counters gave it.

The rest is the function of 0006, unchanged; the vote's status and reason are now its own
variables."""

import importlib

from django.db import migrations

_0006 = importlib.import_module("wenming.voting.migrations.0006_refuse_repeats_before_writing")

_OLD_SIGNATURE = "bigint, bigint, bigint, date, timestamptz, inet, text, int, int, text, text, text, int, text, text, text"
_NEW_SIGNATURE = _OLD_SIGNATURE + ", text, text, text"

_VOTER_FIRST = """    SELECT id INTO v_voter FROM voting_voter WHERE resident_id = p_resident;
    IF v_voter IS NULL THEN"""
_WHO_VOTES = """    -- Who votes: the resident (with the token's row when one is given) and their voter row.
    SELECT r.phone, v.id INTO v_phone, v_voter
        FROM core_resident r LEFT JOIN voting_voter v ON v.resident_id = r.id
        WHERE r.id = p_resident
          AND (p_token IS NULL OR EXISTS (SELECT 1 FROM core_residenttoken t WHERE t.key_hash = p_token
                                          AND t.resident_id = r.id AND t.expires_at > p_now));
    IF NOT FOUND THEN
        outcome := 'unauthorized';
        RETURN;
    END IF;
    IF p_virtual <> '' AND EXISTS (SELECT 1 FROM unnest(string_to_array(p_virtual, ',')) AS x(prefix)
                                   WHERE starts_with(v_phone, x.prefix)) THEN
        v_status := 'quarantined';
        v_reason := p_virtual_reason;
    END IF;
    IF v_voter IS NULL THEN"""


def _changed(sql, old, new):
    assert sql.count(old) == 1, old
    return sql.replace(old, new)


CREATE = _0006.CREATE
for _old, _new in [
    ("p_scope text, p_key text, p_request_hash text,\n",
     "p_scope text, p_key text, p_request_hash text,\n    p_token text, p_virtual text, p_virtual_reason text,\n"),
    ("    v_answer bigint;\n",
     "    v_answer bigint;\n    v_phone text;\n    v_status text := p_status;\n    v_reason text := p_reason;\n"),
    (_VOTER_FIRST, _WHO_VOTES),
    ("p_channel, p_status, p_reason, p_ip)", "p_channel, v_status, v_reason, p_ip)"),
    ("IF p_status = 'counted' THEN", "IF v_status = 'counted' THEN"),
]:
    CREATE = _changed(CREATE, _old, _new)


def _run(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)  # no parameters: the body's % is SQL, not a placeholder
    return run


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0006_refuse_repeats_before_writing"),
        ("core", "0002_notifications_phones"),
    ]

    operations = [migrations.RunPython(
        _run(f"DROP FUNCTION IF EXISTS wenming_cast_vote({_OLD_SIGNATURE})", CREATE),
        _run(f"DROP FUNCTION IF EXISTS wenming_cast_vote({_NEW_SIGNATURE})", _0006.CREATE),
        elidable=False)]
