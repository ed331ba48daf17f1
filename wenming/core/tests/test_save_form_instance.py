"""Services save an existing record with the fields the form sets, never the whole row, so a
change made meanwhile to another field survives."""

import datetime

from django import forms

from wenming.core.forms import save_form_instance
from wenming.registry.models import Community


class NameForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["name"]


def test_it_keeps_a_field_changed_meanwhile(world):
    stale = Community.objects.get(pk=world.community_a.pk)
    Community.objects.filter(pk=stale.pk).update(total_households=999,
                                                 updated_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC))
    form = NameForm({"name": "海州新花园"}, instance=stale)
    assert form.is_valid()
    save_form_instance(form.save(commit=False), form)
    fresh = Community.objects.get(pk=stale.pk)
    assert (fresh.name, fresh.total_households) == ("海州新花园", 999)
    assert fresh.updated_at.year > 2019  # the auto_now stamp is still written

