from django.core.management.base import BaseCommand, CommandError

from wenming.results import published, services
from wenming.results.models import Run


class Command(BaseCommand):
    help = ("results verify [--from-published DIR]: recompute every published score sheet from the raw data in "
            "the database, or from the published files alone (no database); results publish DIR: write them; "
            "results bundle: rebuild the public checkers' bundle (board, results, rules).")
    requires_system_checks = []  # `verify --from-published` runs with no database at all

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "publish", "bundle"])
        parser.add_argument("directory", nargs="?", help="results publish: where to write the files")
        parser.add_argument("--from-published", metavar="DIR",
                            help="check the downloaded files in DIR (results/*.json, and tally.json if present)")

    def handle(self, *args, action, directory=None, from_published=None, **options):
        if action == "verify" and from_published:
            try:
                checked = published.verify(from_published, services.compute_from)
            except published.Broken as exc:
                raise CommandError(f"核验不通过：{exc}") from None
            for name, sheets in checked:
                self.stdout.write(f"{name}：{len(sheets)} 份评分表按公开的原始数据重算一致")
            return
        runs = list(Run.objects.filter(state=Run.State.PUBLISHED).select_related("award", "campaign"))
        if not runs:
            raise CommandError("尚无已公布的结果")
        if action == "bundle":
            path = services.build_bundle(runs[0].campaign)
            self.stdout.write(f"核验数据包已生成：{path}（{path.stat().st_size} 字节）")
            return
        if action == "publish":
            if not directory:
                raise CommandError("请指定写入公开文件的目录：wenming results publish 目录")
            paths = published.write(directory, runs)
            self.stdout.write(f"已写出 {len(paths)} 个奖项的评选结果公开文件")
            return
        failures = []
        for run in runs:
            ok, message = services.verify(run)
            self.stdout.write(message)
            if not ok:
                failures.append(message)
        if failures:
            raise CommandError(f"{len(failures)} 个奖项的结果核验不通过")
