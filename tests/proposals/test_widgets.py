"""QuickSelect writes the markup of Django's Select, escaped the same way (issue 13)."""

import re

from django import forms

from proposals.widgets import QuickSelect

CHOICES = [("", "全部<单位>"), ("1", "县交通局 & 公路"), ("组", [("2", "二"), ("3", "三")])]


def _normalised(html: str) -> list:
    # Attribute order and blank lines differ; the tags, attributes and labels must not.
    return [
        (name, sorted(re.findall(r'([\w-]+)(?:="([^"]*)")?', attrs)), text.strip())
        for name, attrs, text in re.findall(r"<(/?\w+)([^>]*)>([^<]*)", html)
    ]


def test_quick_select_renders_what_django_s_select_renders():
    class Form(forms.Form):
        slow = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "x"}))
        quick = forms.ChoiceField(choices=CHOICES, widget=QuickSelect(attrs={"class": "x"}))

    form = Form(data={"slow": "2", "quick": "2"})
    slow = str(form["slow"]).replace("slow", "f")
    quick = str(form["quick"]).replace("quick", "f")

    assert _normalised(quick) == _normalised(slow)
    assert '<option value="2" selected>二</option>' in quick
    assert "全部&lt;单位&gt;" in quick and "县交通局 &amp; 公路" in quick
