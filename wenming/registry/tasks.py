from django.tasks import task

from wenming.registry.importing import run_import


@task()
def run_import_task(job_id):
    run_import(job_id)
