from django.core.management.base import BaseCommand, CommandError

from wenming.voting import services
from wenming.voting.models import Lottery


class Command(BaseCommand):
    help = "lottery verify ID: re-run a drawn lottery from its published entrants, seed and rule."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("lottery_id", type=int)

    def handle(self, *args, action, lottery_id, **options):
        lottery = Lottery.objects.filter(pk=lottery_id, drawn_at__isnull=False).first()
        if lottery is None:
            raise CommandError("没有这个已开奖的抽奖")
        if not services.verify_lottery(lottery):
            raise CommandError("复核失败：公布的名单、种子与中奖结果不一致")
        self.stdout.write(f"复核通过：{lottery.entrants.count()} 名参与者，{lottery.winners_count} 名中奖者与公布一致")
