from django.core.management.base import BaseCommand, CommandError

from wenming.campaigns.presets import PresetError, available_presets


class Command(BaseCommand):
    help = "Load a campaign preset (`campaign load lianyungang-2019`) or list presets (`campaign list`)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "list", "check"])
        parser.add_argument("preset", nargs="?", help="preset key or path to a YAML file")

    def handle(self, *args, action, preset=None, **options):
        if action == "list":
            for name in available_presets():
                self.stdout.write(name)
            return
        if not preset:
            raise CommandError("请指定预设，例如：wenming campaign load lianyungang-2019")
        from wenming.campaigns.models import Campaign
        from wenming.campaigns.presets import parse_preset, preset_path
        from wenming.campaigns.services import date_differences, load_preset

        try:
            path = preset_path(preset)
            parsed = parse_preset(path.read_text(encoding="utf-8"), source=path.name)
            if action == "check":
                self.stdout.write(f"预设 {path.name} 有效")
                return
            existing = Campaign.objects.filter(slug=parsed.preset).first()
            kept = date_differences(parsed, existing) if existing else []
            campaign, changed = load_preset(preset)
        except PresetError as exc:
            raise CommandError(str(exc)) from None
        state = f"已加载（规则版本 {campaign.rules_version}）" if changed else "内容未变，未作修改"
        self.stdout.write(f"{campaign.name}：{state}")
        for line in kept:
            self.stdout.write(f"日期未改动（活动日期只能在“活动设置”中延长）：{line}")
