"""PostgreSQL only: the vote function of 0003 refuses a repeat (every slot for the candidate
already taken today) before it writes anything, so a refused repeat takes no row lock and
commits without a WAL flush. Only a shortcut: between concurrent votes the unique key still
decides, exactly as before."""

import importlib

from django.db import migrations

_0003 = importlib.import_module("wenming.voting.migrations.0003_cast_vote_function")

ANCHOR = "    -- One unit of the day's award quota, only while under the limit"
REPEAT_FIRST = """    -- A repeat is refused before anything is written (no lock, nothing to flush at commit).
    IF EXISTS (SELECT 1 FROM voting_vote WHERE voter_id = v_voter AND candidate_id = p_candidate
               AND day = p_day AND slot = p_per_candidate) THEN
        DELETE FROM core_idempotentresponse WHERE id = v_answer;
        outcome := 'duplicate';
        RETURN;
    END IF;

"""
assert _0003.CREATE.count(ANCHOR) == 1
CREATE = _0003.CREATE.replace(ANCHOR, REPEAT_FIRST + ANCHOR)


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the body's % is SQL, not a placeholder
    return run


class Migration(migrations.Migration):
    dependencies = [("voting", "0005_vote_indexes_for_queries_only")]

    operations = [migrations.RunPython(_run(CREATE), _run(_0003.CREATE), elidable=False)]
