from django.core.management.base import BaseCommand, CommandError

from wenming.campaigns.services import current_campaign
from wenming.complaints import services


class Command(BaseCommand):
    help = ("complaints sweep: remind handlers of complaint steps past their limits and escalate those still "
            "undone to the district bureau (run every 5 minutes: emergency limits are counted in minutes).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, action, **options):
        campaign = current_campaign()
        if campaign is None:
            raise CommandError("尚未加载活动")
        reminded, escalated = services.sweep(campaign)
        self.stdout.write(f"已提醒 {reminded} 件超时投诉，{escalated} 件上报区住建局")
