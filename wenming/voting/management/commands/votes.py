from django.core.management.base import BaseCommand, CommandError

from wenming.voting import board, published, services


class Command(BaseCommand):
    help = ("votes verify [--from-published DIR]: recompute the board's hash chain and the tally (from the "
            "database, or from the downloaded board.csv and tally.json alone); votes sequence: extend the board; "
            "votes publish DIR: write board.csv and tally.json; votes rebuild-tally.")
    requires_system_checks = []  # `verify --from-published` runs with no database at all

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "sequence", "publish", "rebuild-tally"])
        parser.add_argument("directory", nargs="?", help="votes publish: where to write the files")
        parser.add_argument("--from-published", metavar="DIR",
                            help="verify board.csv and tally.json in DIR, without the database")

    def handle(self, *args, action, directory=None, from_published=None, **options):
        if action == "verify" and from_published:
            self._verify_published(from_published)
            return
        if action == "sequence":
            self.stdout.write(f"已上链 {services.sequence_all()} 票")
            return
        if action == "publish":
            if not directory:
                raise CommandError("请指定写入公开文件的目录：wenming votes publish 目录")
            count = board.publish(directory)
            self.stdout.write(f"已写出 {published.BOARD_FILE} 和 {published.TALLY_FILE}：{count} 条公开记录")
            return
        if action == "rebuild-tally":
            services.rebuild_tally()
            self.stdout.write("票数计数已按投票记录重建")
            return
        services.sequence_all()
        checked, broken = services.verify_board()
        if broken is not None:
            raise CommandError(f"公开记录链在第 {broken} 条处断开（已核对 {checked} 条）")
        differing = services.verify_statuses()
        if differing is not None:
            index, in_database, on_board = differing
            raise CommandError(f"第 {index} 条公开记录的投票状态与数据库不符（数据库：{in_database}，公开记录：{on_board}）")
        mismatched = services.verify_tally()
        if mismatched:
            lines = [f"候选 {c}：计数 {a}，公开记录 {b}" for c, (a, b) in sorted(mismatched.items())]
            raise CommandError("票数与公开记录不一致：\n" + "\n".join(lines))
        self.stdout.write(f"核验通过：{checked} 条公开记录，各票状态和票数与公开记录一致")

    def _verify_published(self, directory):
        try:
            entries, head, tally = published.verify(directory)
        except published.Broken as exc:
            raise CommandError(f"核验未通过：{exc}") from None
        counted = sum(row[published.COUNTED] for row in tally.values())
        self.stdout.write(f"核验通过：{entries} 条公开记录，链头 {head}；{len(tally)} 位候选，有效票 {counted} 张"
                          f"（请与公开页面上的链头比对）")
