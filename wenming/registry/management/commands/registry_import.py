from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from wenming.core.models import Job, User
from wenming.registry.importing import run_import, start_import
from wenming.registry.resources import RESOURCES


class Command(BaseCommand):
    help = "Import registry records from an .xlsx file, all or nothing, as the given user."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(RESOURCES))
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the account the import is made as (audited)")

    def handle(self, *args, resource, file, user, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"账号 {user} 不存在或已停用")
        with open(file, "rb") as fh:
            uploaded = SimpleUploadedFile(file.rsplit("/", 1)[-1], fh.read())
        try:
            job = start_import(RESOURCES[resource], uploaded, actor=actor)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        job = run_import(job.pk)  # no-op if the task backend already ran it
        job.refresh_from_db()
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError("导入失败，未写入任何记录：\n" + "\n".join(job.report.get("errors", [])))
        report = job.report
        self.stdout.write(f"导入完成：新增 {report['created']}，更新 {report['updated']}，未变 {report['unchanged']}")
