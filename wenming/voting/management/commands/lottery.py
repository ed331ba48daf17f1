from django.core.management.base import BaseCommand, CommandError

from wenming.voting import published, published_lottery, services
from wenming.voting.models import Lottery


class Command(BaseCommand):
    help = ("lottery verify ID: re-run a drawn lottery from the database; lottery verify --from-published DIR: "
            "check entrants.txt and lottery.json alone, with no database; lottery publish DIR [ID]: write them "
            "(the newest committed lottery unless ID is given).")
    requires_system_checks = []  # `verify --from-published` runs with no database at all

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "publish"])
        parser.add_argument("args", nargs="*", help="verify: ID; publish: DIR [ID]")
        parser.add_argument("--from-published", metavar="DIR",
                            help="verify entrants.txt and lottery.json in DIR, without the database")

    def handle(self, *args, action, from_published=None, **options):
        if action == "verify" and from_published:
            self._verify_published(from_published)
            return
        if action == "publish":
            if not args:
                raise CommandError("请指定写入公开文件的目录：wenming lottery publish 目录 [抽奖编号]")
            lottery = self._lottery(args[1] if len(args) > 1 else None, committed=True)
            count = services.publish_lottery(lottery, args[0])
            self.stdout.write(f"已写出 {published_lottery.ENTRANTS_FILE} 和 {published_lottery.LOTTERY_FILE}："
                              f"“{lottery.name}”，{count} 名参与者")
            return
        if not args:
            raise CommandError("请指定抽奖编号，或用 --from-published 目录 核验下载的文件")
        lottery = self._lottery(args[0], drawn=True)
        if not services.verify_lottery(lottery):
            raise CommandError("复核失败：公布的名单、种子与中奖结果不一致")
        self.stdout.write(f"复核通过：{lottery.entrants.count()} 名参与者，{lottery.winners_count} 名中奖者与公布一致")

    def _lottery(self, pk, committed=False, drawn=False):
        lotteries = Lottery.objects.filter(committed_at__isnull=False) if committed else Lottery.objects.all()
        if drawn:
            lotteries = lotteries.filter(drawn_at__isnull=False)
        lottery = lotteries.filter(pk=pk).first() if pk is not None and str(pk).isdigit() else (
            lotteries.order_by("-committed_at").first() if pk is None else None)
        if lottery is None:
            raise CommandError("没有这个已开奖的抽奖" if drawn else "没有这个已公布名单的抽奖")
        return lottery

    def _verify_published(self, directory):
        try:
            record, ids = published_lottery.verify(directory)
        except published.Broken as exc:
            raise CommandError(f"核验未通过：{exc}") from None
        if record["drawn_at"] is None:
            self.stdout.write(f"核验通过：{len(ids)} 名参与者，名单摘要 {record['entrants_hash']}；尚未开奖"
                              f"（请与公开页面上的名单摘要和种子承诺比对）")
            return
        winners = "、".join(w["entrant_id"] for w in record["winners"])
        self.stdout.write(f"核验通过：{len(ids)} 名参与者；开奖种子 {record['draw_seed']}；中奖编号 {winners}"
                          "（请与公开页面上的名单摘要、种子承诺和公开数值比对）")
