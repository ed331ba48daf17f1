"""`wenming phones new-key | rotate | verify` (docs/operations.md, "Phone numbers at rest")."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wenming.core import audit, phonestore
from wenming.core.fields import PhoneKeyError, key_problems


class Command(BaseCommand):
    help = ("phones new-key: print a new key (for WENMING_PHONE_KEYS or WENMING_PHONE_HASH_KEYS); "
            "phones rotate: re-encrypt every phone column under the first key and re-hash under the first hash "
            "key, in batches (idempotent: a second run changes nothing); phones verify: count each column's rows "
            "by key, and fail on any no key opens or any plaintext left.")
    requires_system_checks = []  # new-key needs no keys and no database

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["new-key", "rotate", "verify"])
        parser.add_argument("--batch", type=int, default=phonestore.BATCH, help="rows per transaction (rotate)")

    def handle(self, *args, action, batch, **options):
        if action == "new-key":
            self.stdout.write(Fernet.generate_key().decode())
            return
        problems = key_problems(settings.PHONE_KEYS, settings.PHONE_HASH_KEYS)
        if problems:
            raise CommandError("手机号密钥配置有误：" + "；".join(problems))
        if action == "rotate":
            self._rotate(batch)
        else:
            self._verify()

    def _rotate(self, batch):
        totals = {}

        def say(col, seen, changed):
            self.stdout.write(f"{col.label}：已处理 {seen} 行，其中改写 {changed} 行", ending="\r")
            self.stdout.flush()

        try:
            for col in phonestore.columns():
                seen, changed = phonestore.encrypt_all(col, say=say, batch=max(1, batch))
                totals[col.label] = {"rows": seen, "rewritten": changed}
                self.stdout.write(f"{col.label}：共 {seen} 行，改写 {changed} 行")
        except PhoneKeyError as exc:
            raise CommandError(f"有手机号无法用已配置的任何密钥解密，已停止（已完成的批次保留）：{exc}") from None
        rewritten = sum(item["rewritten"] for item in totals.values())
        if rewritten:
            audit.record("core.phones.rotated", actor=None, target_type="core.phones",
                         after={"rewritten": rewritten})
        self.stdout.write(f"完成：共改写 {rewritten} 行；全部手机号已使用当前密钥加密、当前查找密钥计算哈希"
                          if rewritten else "完成：全部手机号已是当前密钥，没有需要改写的行")

    def _verify(self):
        bad = False
        for col in phonestore.columns():
            state = phonestore.verify(col)
            line = (f"{col.label}：{state.rows} 行，当前密钥 {state.current}，旧密钥 {state.older}，"
                    f"未加密 {state.plain}，无法解密 {state.unreadable}")
            if col.hash_column:
                line += f"，哈希需重算 {state.stale_hash}"
            self.stdout.write(line)
            bad = bad or state.plain or state.unreadable
            if state.older or state.stale_hash:
                self.stdout.write("  （运行 wenming phones rotate 改为当前密钥）")
        if bad:
            raise CommandError("有未加密或无法解密的手机号：请检查 WENMING_PHONE_KEYS（是否缺少旧密钥）后再运行 "
                               "wenming phones rotate")
        self.stdout.write("核验通过：全部手机号均可用已配置的密钥解密")
