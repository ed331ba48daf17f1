from django.core.management.base import BaseCommand, CommandError

from wenming.results import services
from wenming.results.models import Run


class Command(BaseCommand):
    help = "results verify: recompute every published score sheet from the raw data in the database."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        runs = list(Run.objects.filter(state=Run.State.PUBLISHED).select_related("award", "campaign"))
        if not runs:
            raise CommandError("尚无已公布的结果")
        failures = []
        for run in runs:
            ok, message = services.verify(run)
            self.stdout.write(message)
            if not ok:
                failures.append(message)
        if failures:
            raise CommandError(f"{len(failures)} 个奖项的结果核验不通过")
