from django.core.management.base import BaseCommand, CommandError

from wenming.voting import services


class Command(BaseCommand):
    help = "votes verify: recompute the board's hash chain and the tally; votes sequence: extend the board."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "sequence", "rebuild-tally"])

    def handle(self, *args, action, **options):
        if action == "sequence":
            self.stdout.write(f"已上链 {services.sequence_board()} 票")
            return
        if action == "rebuild-tally":
            services.rebuild_tally()
            self.stdout.write("票数计数已按投票记录重建")
            return
        services.sequence_board()
        checked, broken = services.verify_board()
        if broken is not None:
            raise CommandError(f"公开记录链在第 {broken} 条处断开（已核对 {checked} 条）")
        mismatched = services.verify_tally()
        if mismatched:
            lines = [f"候选 {c}：计数 {a}，投票记录 {b}" for c, (a, b) in sorted(mismatched.items())]
            raise CommandError("票数与投票记录不一致：\n" + "\n".join(lines))
        self.stdout.write(f"核验通过：{checked} 条公开记录，票数与投票记录一致")
