"""PostgreSQL only: the vote function reads the resident's phone_prefix (core 0007: the
number's first 4 digits in plain text; the number itself is now encrypted) for the
virtual-operator check, instead of the phone. The presets' prefixes have at most 4 digits
(campaigns.presets), so the answer is the same; nothing is decrypted per vote.

The function as of this migration (voting/sql/cast_vote.sql as it is now) and as of 0007 (to go
back), both frozen. The signature is unchanged: CREATE OR REPLACE suffices either way."""

from django.db import migrations

CAST_VOTE = r"""-- The whole vote on PostgreSQL as one function call, so a vote is a single round trip in
-- autocommit (the call is its own transaction): voting.services.cast_vote calls it, with every
-- parameter by name; on SQLite voting.services._cast_portable takes the same steps, and
-- voting/tests/test_cast_vote_parity.py holds the two to the same answers.
--
-- This file is the function as installed. Changing it takes a new migration that installs a
-- frozen copy of the new text (test_cast_vote_source fails until there is one).
--
-- Parameters: who votes (p_resident; p_token, the SHA-256 of a bearer token nobody has looked up
-- yet, or NULL when the caller checked the resident itself; p_virtual, the campaign's
-- virtual-operator prefixes comma-separated, 1 to 4 digits each, whose numbers are kept in
-- quarantine with p_virtual_reason: they are matched against the resident's phone_prefix, the
-- number's first 4 digits kept in plain text, as the number itself is encrypted), what for (p_award, p_candidate, p_day in the campaign's zone, p_now),
-- the limits (p_per_award a day, p_per_candidate a day), the vote's row (p_ip, p_channel,
-- p_status and p_reason from the risk counters, p_receipt, p_shards of the tally) and the
-- Idempotency-Key's answer (p_scope, p_key, p_request_hash; p_key NULL without one).
--
-- Outcomes: 'cast' (used: the award's units taken today), 'unauthorized', 'replay' (the key's
-- answer is stored), 'duplicate', 'quota'. Refusals are undone inside the call while the rows
-- are still locked, so no other request ever sees a quota unit taken by a refused vote.

CREATE OR REPLACE FUNCTION wenming_cast_vote(
    p_resident bigint, p_award bigint, p_candidate bigint, p_day date, p_now timestamptz,
    p_ip inet, p_channel text, p_per_award int, p_per_candidate int, p_status text, p_reason text,
    p_receipt text, p_shards int, p_scope text, p_key text, p_request_hash text,
    p_token text, p_virtual text, p_virtual_reason text,
    OUT outcome text, OUT used int)
LANGUAGE plpgsql AS $$
DECLARE
    v_voter bigint;
    v_vote bigint;
    v_answer bigint;
    v_prefix text;
    v_status text := p_status;
    v_reason text := p_reason;
BEGIN
    -- Who votes: the resident (with the token's row when one is given) and their voter row.
    SELECT r.phone_prefix, v.id INTO v_prefix, v_voter
        FROM core_resident r LEFT JOIN voting_voter v ON v.resident_id = r.id
        WHERE r.id = p_resident
          AND (p_token IS NULL OR EXISTS (SELECT 1 FROM core_residenttoken t WHERE t.key_hash = p_token
                                          AND t.resident_id = r.id AND t.expires_at > p_now));
    IF NOT FOUND THEN
        outcome := 'unauthorized';
        RETURN;
    END IF;
    IF p_virtual <> '' AND EXISTS (SELECT 1 FROM unnest(string_to_array(p_virtual, ',')) AS x(prefix)
                                   WHERE starts_with(v_prefix, x.prefix)) THEN
        v_status := 'quarantined';
        v_reason := p_virtual_reason;
    END IF;
    IF v_voter IS NULL THEN
        INSERT INTO voting_voter (resident_id, created_at) VALUES (p_resident, p_now)
            ON CONFLICT (resident_id) DO NOTHING RETURNING id INTO v_voter;
        IF v_voter IS NULL THEN
            SELECT id INTO v_voter FROM voting_voter WHERE resident_id = p_resident;
        END IF;
    END IF;

    -- The answer for an Idempotency-Key is claimed first: a concurrent request with the same
    -- key waits here, then finds it (outcome 'replay') and changes nothing.
    IF p_key IS NOT NULL THEN
        INSERT INTO core_idempotentresponse (scope, key, request_hash, status, body, created_at)
            VALUES (p_scope, p_key, p_request_hash, 201, '{}'::jsonb, p_now)
            ON CONFLICT (scope, key) DO NOTHING RETURNING id INTO v_answer;
        IF v_answer IS NULL THEN
            outcome := 'replay';
            RETURN;
        END IF;
    END IF;

    -- A repeat is refused before anything is written (no lock, nothing to flush at commit).
    IF EXISTS (SELECT 1 FROM voting_vote WHERE voter_id = v_voter AND candidate_id = p_candidate
               AND day = p_day AND slot = p_per_candidate) THEN
        DELETE FROM core_idempotentresponse WHERE id = v_answer;
        outcome := 'duplicate';
        RETURN;
    END IF;

    -- One unit of the day's award quota, only while under the limit (the row stays locked
    -- until the end of this transaction).
    INSERT INTO voting_dailyquota (voter_id, award_id, day, used) VALUES (v_voter, p_award, p_day, 1)
        ON CONFLICT (voter_id, award_id, day) DO UPDATE SET used = voting_dailyquota.used + 1
        WHERE voting_dailyquota.used < p_per_award
        RETURNING voting_dailyquota.used INTO used;
    IF used IS NULL THEN
        outcome := CASE WHEN EXISTS (SELECT 1 FROM voting_vote WHERE voter_id = v_voter
                                      AND candidate_id = p_candidate AND day = p_day
                                      AND slot = p_per_candidate) THEN 'duplicate' ELSE 'quota' END;
        DELETE FROM core_idempotentresponse WHERE id = v_answer;
        RETURN;
    END IF;

    FOR s IN 1..p_per_candidate LOOP
        INSERT INTO voting_vote (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel,
                                 status, status_reason, ip)
            VALUES (p_receipt, p_award, p_candidate, v_voter, p_day, s, p_now, p_channel, v_status, v_reason, p_ip)
            ON CONFLICT (voter_id, candidate_id, day, slot) DO NOTHING RETURNING id INTO v_vote;
        EXIT WHEN v_vote IS NOT NULL;
    END LOOP;
    IF v_vote IS NULL THEN
        -- Every slot for this candidate is taken today: give the quota unit back.
        UPDATE voting_dailyquota SET used = voting_dailyquota.used - 1
            WHERE voter_id = v_voter AND award_id = p_award AND day = p_day;
        DELETE FROM core_idempotentresponse WHERE id = v_answer;
        outcome := 'duplicate';
        used := NULL;
        RETURN;
    END IF;

    IF v_status = 'counted' THEN
        INSERT INTO voting_tallyshard (candidate_id, shard, counted) VALUES (p_candidate, v_voter % p_shards, 1)
            ON CONFLICT (candidate_id, shard) DO UPDATE SET counted = voting_tallyshard.counted + 1;
    END IF;
    IF v_answer IS NOT NULL THEN
        UPDATE core_idempotentresponse SET body = jsonb_build_object(
            'receipt', p_receipt, 'candidate_id', p_candidate, 'remaining_today', p_per_award - used)
            WHERE id = v_answer;
    END IF;
    outcome := 'cast';
END
$$;
"""

PREVIOUS = r"""-- The whole vote on PostgreSQL as one function call, so a vote is a single round trip in
-- autocommit (the call is its own transaction): voting.services.cast_vote calls it, with every
-- parameter by name; on SQLite voting.services._cast_portable takes the same steps, and
-- voting/tests/test_cast_vote_parity.py holds the two to the same answers.
--
-- This file is the function as installed. Changing it takes a new migration that installs a
-- frozen copy of the new text (test_cast_vote_source fails until there is one).
--
-- Parameters: who votes (p_resident; p_token, the SHA-256 of a bearer token nobody has looked up
-- yet, or NULL when the caller checked the resident itself; p_virtual, the campaign's
-- virtual-operator prefixes comma-separated, digits only, whose numbers are kept in quarantine
-- with p_virtual_reason), what for (p_award, p_candidate, p_day in the campaign's zone, p_now),
-- the limits (p_per_award a day, p_per_candidate a day), the vote's row (p_ip, p_channel,
-- p_status and p_reason from the risk counters, p_receipt, p_shards of the tally) and the
-- Idempotency-Key's answer (p_scope, p_key, p_request_hash; p_key NULL without one).
--
-- Outcomes: 'cast' (used: the award's units taken today), 'unauthorized', 'replay' (the key's
-- answer is stored), 'duplicate', 'quota'. Refusals are undone inside the call while the rows
-- are still locked, so no other request ever sees a quota unit taken by a refused vote.

CREATE OR REPLACE FUNCTION wenming_cast_vote(
    p_resident bigint, p_award bigint, p_candidate bigint, p_day date, p_now timestamptz,
    p_ip inet, p_channel text, p_per_award int, p_per_candidate int, p_status text, p_reason text,
    p_receipt text, p_shards int, p_scope text, p_key text, p_request_hash text,
    p_token text, p_virtual text, p_virtual_reason text,
    OUT outcome text, OUT used int)
LANGUAGE plpgsql AS $$
DECLARE
    v_voter bigint;
    v_vote bigint;
    v_answer bigint;
    v_phone text;
    v_status text := p_status;
    v_reason text := p_reason;
BEGIN
    -- Who votes: the resident (with the token's row when one is given) and their voter row.
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
    IF v_voter IS NULL THEN
        INSERT INTO voting_voter (resident_id, created_at) VALUES (p_resident, p_now)
            ON CONFLICT (resident_id) DO NOTHING RETURNING id INTO v_voter;
        IF v_voter IS NULL THEN
            SELECT id INTO v_voter FROM voting_voter WHERE resident_id = p_resident;
        END IF;
    END IF;

    -- The answer for an Idempotency-Key is claimed first: a concurrent request with the same
    -- key waits here, then finds it (outcome 'replay') and changes nothing.
    IF p_key IS NOT NULL THEN
        INSERT INTO core_idempotentresponse (scope, key, request_hash, status, body, created_at)
            VALUES (p_scope, p_key, p_request_hash, 201, '{}'::jsonb, p_now)
            ON CONFLICT (scope, key) DO NOTHING RETURNING id INTO v_answer;
        IF v_answer IS NULL THEN
            outcome := 'replay';
            RETURN;
        END IF;
    END IF;

    -- A repeat is refused before anything is written (no lock, nothing to flush at commit).
    IF EXISTS (SELECT 1 FROM voting_vote WHERE voter_id = v_voter AND candidate_id = p_candidate
               AND day = p_day AND slot = p_per_candidate) THEN
        DELETE FROM core_idempotentresponse WHERE id = v_answer;
        outcome := 'duplicate';
        RETURN;
    END IF;

    -- One unit of the day's award quota, only while under the limit (the row stays locked
    -- until the end of this transaction).
    INSERT INTO voting_dailyquota (voter_id, award_id, day, used) VALUES (v_voter, p_award, p_day, 1)
        ON CONFLICT (voter_id, award_id, day) DO UPDATE SET used = voting_dailyquota.used + 1
        WHERE voting_dailyquota.used < p_per_award
        RETURNING voting_dailyquota.used INTO used;
    IF used IS NULL THEN
        outcome := CASE WHEN EXISTS (SELECT 1 FROM voting_vote WHERE voter_id = v_voter
                                      AND candidate_id = p_candidate AND day = p_day
                                      AND slot = p_per_candidate) THEN 'duplicate' ELSE 'quota' END;
        DELETE FROM core_idempotentresponse WHERE id = v_answer;
        RETURN;
    END IF;

    FOR s IN 1..p_per_candidate LOOP
        INSERT INTO voting_vote (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel,
                                 status, status_reason, ip)
            VALUES (p_receipt, p_award, p_candidate, v_voter, p_day, s, p_now, p_channel, v_status, v_reason, p_ip)
            ON CONFLICT (voter_id, candidate_id, day, slot) DO NOTHING RETURNING id INTO v_vote;
        EXIT WHEN v_vote IS NOT NULL;
    END LOOP;
    IF v_vote IS NULL THEN
        -- Every slot for this candidate is taken today: give the quota unit back.
        UPDATE voting_dailyquota SET used = voting_dailyquota.used - 1
            WHERE voter_id = v_voter AND award_id = p_award AND day = p_day;
        DELETE FROM core_idempotentresponse WHERE id = v_answer;
        outcome := 'duplicate';
        used := NULL;
        RETURN;
    END IF;

    IF v_status = 'counted' THEN
        INSERT INTO voting_tallyshard (candidate_id, shard, counted) VALUES (p_candidate, v_voter % p_shards, 1)
            ON CONFLICT (candidate_id, shard) DO UPDATE SET counted = voting_tallyshard.counted + 1;
    END IF;
    IF v_answer IS NOT NULL THEN
        UPDATE core_idempotentresponse SET body = jsonb_build_object(
            'receipt', p_receipt, 'candidate_id', p_candidate, 'remaining_today', p_per_award - used)
            WHERE id = v_answer;
    END IF;
    outcome := 'cast';
END
$$;
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the body's % is SQL, not a placeholder
    return run


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0011_vote_cast_at_brin"),
        ("core", "0007_phones_encrypted"),
    ]

    operations = [migrations.RunPython(_run(CAST_VOTE), _run(PREVIOUS), elidable=False)]
