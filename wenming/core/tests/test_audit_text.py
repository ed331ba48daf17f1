"""The audit log reads as sentences about named records, not action codes and dict reprs."""

from django.urls import reverse

from wenming.core import audit
from wenming.core.models import AuditEntry


def test_an_entry_reads_as_who_did_what_to_which_record(client, office, haizhou_officer, world):
    haizhou_officer.display_name = "张三"
    haizhou_officer.save(update_fields=["display_name"])
    audit.record("awards.application.approved", actor=haizhou_officer, target=world.community_a, reason="材料齐全")
    client.force_login(office)
    text = client.get(reverse("core:audit_list")).text
    assert "张三（区住（规）建局） 通过了 「海州花园」 的申报" in text
    assert "awards.application.approved" not in text.split("<tbody>")[1]


def test_changes_show_field_names_and_shown_values(client, office, world):
    audit.record("core.user.updated", actor=office, target=office,
                 before={"role": "company", "display_name": "旧名"}, after={"role": "district", "display_name": "新名"})
    client.force_login(office)
    rows = client.get(reverse("core:audit_list")).text.split("<tbody>")[1]
    assert "角色：物业服务企业 → 区住（规）建局" in rows and "姓名：旧名 → 新名" in rows
    assert "{" not in rows and "district" not in rows


def test_a_record_without_a_name_is_named_by_its_kind_and_number(client, office):
    AuditEntry.objects.create(action="surveys.response.recorded", actor_name="李四", actor_role="surveyor",
                              target_type="surveys.response", target_id="1445", target_repr="Response object (1445)",
                              after={"channel": "door", "flag": True, "missing": None})
    client.force_login(office)
    rows = client.get(reverse("core:audit_list")).text.split("<tbody>")[1]
    assert "李四（创文办调查员） 录入了入户调查" in rows and "第 1445 号" in rows
    assert "object (" not in rows and "True" not in rows and "None" not in rows


def test_the_filter_names_kinds_and_actions_in_chinese(client, office, world):
    audit.record("registry.company.updated", actor=office, target=world.company_a)
    client.force_login(office)
    text = client.get(reverse("core:audit_list")).text
    assert ">物业服务企业</option>" in text and ">修改了物业服务企业…</option>" in text
    assert ">registry.company</option>" not in text
