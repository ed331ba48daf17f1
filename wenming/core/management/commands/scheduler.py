import signal
import time

from django.core.management.base import BaseCommand

from wenming.core import schedule


class Command(BaseCommand):
    help = ("Enqueue the scheduled jobs of settings.SCHEDULES for the task worker, each slot once however "
            "many schedulers run (`--once`: one pass, e.g. from cron).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=15, help="seconds between passes")

    def handle(self, *args, once=False, interval=15, **options):
        if once:
            enqueued = schedule.tick()
            self.stdout.write(("已排入：" + "、".join(enqueued)) if enqueued else "本时段的任务均已排入")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            schedule.tick()
            wake = time.monotonic() + interval
            while not stopping and time.monotonic() < wake:  # SIGTERM ends the pause at once, not after it
                time.sleep(0.1)
