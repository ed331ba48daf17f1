from django.core.management.base import BaseCommand, CommandError

from wenming.campaigns.services import current_campaign
from wenming.core import kept_uploads
from wenming.supervision import services
from wenming.supervision.models import Sample


class Command(BaseCommand):
    help = ("supervision sweep: reminders before rectification deadlines and overdue orders (run daily); "
            "supervision verify-samples: re-draw every unannounced sample from its recorded seed.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep", "verify-samples"])

    def handle(self, *args, action, **options):
        if action == "verify-samples":
            bad = [s.pk for s in Sample.objects.all() if not services.verify_sample(s)]
            if bad:
                raise CommandError(f"以下抽样按记录的种子复现不一致：{bad}")
            self.stdout.write(f"核验通过：{Sample.objects.count()} 次抽样均可按种子复现")
            return
        campaign = current_campaign()
        if campaign is None:
            raise CommandError("尚未加载活动")
        reminded, overdue = services.sweep(campaign)
        removed = kept_uploads.sweep()  # photos kept for forms that were never sent again
        self.stdout.write(f"已提醒 {reminded} 份即将到期的整改通知，{overdue} 份逾期并已报区住建局；"
                          f"清理 {removed} 个过期的暂存照片")
