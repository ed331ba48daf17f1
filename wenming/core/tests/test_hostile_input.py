"""Hostile text is refused at the door: a control character in any text field, and invisible
characters (zero-width, bidi overrides) in one-line fields such as names shown publicly, with a
Chinese message at the field and nothing written. What was stored before still exports."""

import importlib
import io
import pkgutil

import pytest
from django import forms
from django.urls import reverse
from openpyxl import load_workbook

import wenming
from wenming.core import audit
from wenming.core.forms import TextGuard
from wenming.core.models import AuditEntry
from wenming.registry.models import Company, Staff

STAFF = {"company": None, "community": None, "post": "cleaning", "entered_trade_on": "2016-01-01", "phone": "13700001234"}
MESSAGE = "不能包含控制字符或不可见字符"


@pytest.mark.parametrize("name", ["王\x07五", "王五\u202e", "王\u200b五", "王\n五", "\ufeff王五"])
def test_a_hostile_staff_name_is_refused_at_the_field(client, world, company_a, name):
    client.force_login(company_a)
    data = {**STAFF, "company": world.company_a.pk, "community": world.community_a.pk, "name": name}
    response = client.post(reverse("registry:create", args=["staff"]), data)
    assert response.status_code == 400 and MESSAGE in response.text
    assert f'value="{data["phone"]}"' in response.text  # what was typed is kept
    assert not Staff.objects.filter(company=world.company_a, phone=data["phone"]).exists()


def test_a_company_name_with_a_bidi_override_is_refused(client, world, office):
    client.force_login(office)
    response = client.post(reverse("registry:create", args=["companies"]), {
        "name": "海州\u202e司公业物", "credit_code": "91320700MA1MXXXX0A", "district": world.haizhou.pk})
    assert response.status_code == 400 and MESSAGE in response.text
    assert not Company.objects.filter(name__startswith="海州").exclude(pk__in=[world.company_a.pk]).filter(
        name__contains="\u202e").exists()


def test_multi_line_text_keeps_its_line_breaks_and_refuses_control_characters():
    from wenming.core.forms import Form

    class Note(Form):
        title = forms.CharField()
        body = forms.CharField(widget=forms.Textarea)

    assert Note({"title": "标题", "body": "第一行\r\n第二行\t完"}).is_valid()
    refused = Note({"title": "标题", "body": "第一行\x1b[31m"})
    assert not refused.is_valid() and MESSAGE in refused.errors["body"][0]


def test_every_form_of_the_project_guards_its_text():
    for module in pkgutil.walk_packages(wenming.__path__, "wenming."):
        if ".tests" not in module.name and module.name.rsplit(".", 1)[-1] in ("forms", "views", "office_views", "public"):
            importlib.import_module(module.name)
    unguarded, stack = [], [forms.BaseForm]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("wenming.") and ".tests" not in cls.__module__ and not issubclass(cls, TextGuard):
                unguarded.append(f"{cls.__module__}.{cls.__qualname__}")
    assert unguarded == []


@pytest.mark.django_db
def test_an_audit_entry_holding_a_control_character_still_exports(client, office):
    audit.record("registry.company.updated", actor=office, before={"name": "旧\x07名"}, after={"name": "新\x1b名"},
                 reason="\x01原因")
    client.force_login(office)
    response = client.get(reverse("core:audit_export"))
    assert response.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert "原因" in cells and any(isinstance(c, str) and "新" in c for c in cells)  # stripped, never a 500
    assert AuditEntry.objects.filter(action="registry.company.updated").exists()


@pytest.mark.parametrize("community, ok", [("海州花园", True), ("海州\u202e园花", False), ("\u200b海州花园", False),
                                           ("   ", False), ("海州\x07花园", False)])
def test_the_api_refuses_hidden_characters_and_blanks_in_public_names(community, ok):
    from pydantic import ValidationError

    from wenming.complaints.api import WorkOrderIn

    data = {"number": "LYG1", "received_at": "2019-11-28T10:00:00+08:00", "district": "海州区", "community": community,
            "description": "楼道灯坏了很久", "phone": "13800138000"}
    if ok:
        assert WorkOrderIn.model_validate(data).community == community
    else:
        with pytest.raises(ValidationError):
            WorkOrderIn.model_validate(data)
