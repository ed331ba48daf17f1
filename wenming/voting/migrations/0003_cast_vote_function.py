"""PostgreSQL only: the whole vote as one function call, so a vote is a single round trip in
autocommit (the call is its own transaction). Refusals are undone inside the call while the
rows are still locked, so no other request ever sees a quota unit taken by a refused vote.

The function as of this migration, frozen (today's is voting/sql/cast_vote.sql)."""

from django.db import migrations

CAST_VOTE = r"""
CREATE OR REPLACE FUNCTION wenming_cast_vote(
    p_resident bigint, p_award bigint, p_candidate bigint, p_day date, p_now timestamptz,
    p_ip inet, p_channel text, p_per_award int, p_per_candidate int, p_status text, p_reason text,
    p_receipt text, p_shards int, p_scope text, p_key text, p_request_hash text,
    OUT outcome text, OUT used int)
LANGUAGE plpgsql AS $$
DECLARE
    v_voter bigint;
    v_vote bigint;
    v_answer bigint;
BEGIN
    SELECT id INTO v_voter FROM voting_voter WHERE resident_id = p_resident;
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
            VALUES (p_receipt, p_award, p_candidate, v_voter, p_day, s, p_now, p_channel, p_status, p_reason, p_ip)
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

    IF p_status = 'counted' THEN
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

DROP = ("DROP FUNCTION IF EXISTS wenming_cast_vote(bigint, bigint, bigint, date, timestamptz, inet, text, int, int, "
        "text, text, text, int, text, text, text)")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CAST_VOTE)  # no parameters: the body's % is SQL, not a placeholder


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0002_fraud_decision"),
        ("core", "0003_idempotentresponse"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
