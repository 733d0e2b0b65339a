"""The project's form renderer (settings.FORM_RENDERER, templates/forms/): what every Django
form of the site draws, and the accessibility wiring Django adds that the templates must
complete (the ids aria-describedby points at) without repeating it."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils import translation

from portal.core.forms import FormRenderer
from portal.core.widgets import DateTimeInput


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your badge.")
    nickname = forms.CharField(label="Nickname", required=False)
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "Alpha"), ("b", "Beta")], widget=forms.RadioSelect
    )
    agree = forms.BooleanField(label="I agree", help_text="Read the rules first.")
    document = forms.FileField(label="Document", required=False)
    files = forms.FileField(
        label="Files",
        required=False,
        widget=type("Multi", (forms.ClearableFileInput,), {"allow_multiple_selected": True}),
    )
    meets_at = forms.SplitDateTimeField(label="Meets at", required=False, widget=DateTimeInput)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_the_settings_name_the_project_renderer():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_a_valid_form_has_no_summary_and_every_field_its_label_help_and_required_mark():
    page = soup(str(SampleForm()))
    assert not page.select(".error-summary")
    name = page.select_one("#id_name")
    label = page.select_one("label[for=id_name]")
    assert label.get_text(strip=True) == "Name*"
    assert label.select_one(".required-mark")["aria-hidden"] == "true"
    # Django's own aria-describedby points at the help text the template draws, once.
    assert name["aria-describedby"] == "id_name_helptext"
    assert page.select_one("#id_name_helptext").get_text(strip=True) == "As on your badge."
    assert not page.select_one("label[for=id_nickname]").select(".required-mark")
    assert page.select_one("input[type=hidden][name=secret]")
    assert not page.select("label[for=id_secret]")


def test_radios_are_a_fieldset_with_a_legend_each_radio_inside_its_label():
    page = soup(str(SampleForm()))
    fieldset = page.select_one("#id_kind").find_parent("fieldset")
    assert fieldset.legend.get_text(strip=True) == "Kind*"
    labels = fieldset.select("label")
    assert [label.get_text(strip=True) for label in labels] == ["Alpha", "Beta"]
    assert all(label.select_one("input[type=radio]") for label in labels)


def test_a_checkbox_comes_before_its_label():
    page = soup(str(SampleForm()))
    box = page.select_one("#id_agree")
    assert box.find_next_sibling("label")["for"] == "id_agree"


def test_a_form_with_errors_lists_and_links_every_bad_field_at_the_top():
    form = SampleForm(data={"nickname": "x"})
    form.add_error(None, "Something is wrong with the whole form.")
    page = soup(str(form))
    summary = page.select_one(".error-summary")
    assert summary is not None
    assert page.find("div").get("class") == ["error-summary"]  # at the top
    links = {a["href"]: a.get_text(" ", strip=True) for a in summary.select("a")}
    assert links == {
        "#id_name": "Name: This field is required.",
        "#id_kind_0": "Kind: This field is required.",
        "#id_agree": "I agree: This field is required.",
    }
    assert "Something is wrong with the whole form." in summary.get_text()
    for href in links:
        assert page.select_one(href) is not None, href  # each link has its target


def test_a_bad_field_is_invalid_and_described_by_its_help_and_its_error():
    page = soup(str(SampleForm(data={})))
    name = page.select_one("#id_name")
    assert name["aria-invalid"] == "true"
    assert name["aria-describedby"] == "id_name_helptext id_name_error"
    error = page.select_one("#id_name_error")
    assert error.get_text(strip=True) == "This field is required."
    assert "errorlist" in error["class"]
    # A choice list: the fieldset is described, each radio is invalid.
    fieldset = page.select_one("#id_kind").find_parent("fieldset")
    assert fieldset["aria-describedby"] == "id_kind_error"
    assert {radio["aria-invalid"] for radio in fieldset.select("input")} == {"true"}
    assert "has-error" in page.select_one("#id_name").find_parent("div")["class"]


def test_a_field_drawn_alone_gets_the_same_markup():
    form = SampleForm(data={})
    alone = soup(form["name"].as_field_group())
    assert alone.select_one("div.field.has-error label[for=id_name]")
    assert alone.select_one("#id_name_error")


def test_file_fields_get_the_file_picker_around_the_real_input():
    page = soup(str(SampleForm()))
    for name, multiple in (("document", False), ("files", True)):
        picker = page.select_one(f"#id_{name}").parent
        assert picker.has_attr("data-file-picker")
        assert picker.select_one("input[type=file]").has_attr("multiple") is multiple
        # Hidden until parvis.js enhances it: without JavaScript the plain input shows.
        zone = picker.select_one(".file-picker-zone")
        assert zone.has_attr("hidden")
        prompt = zone.get_text(strip=True)
        expected = "Choose files or drop them here" if multiple else "Choose a file or drop it here"
        assert prompt == expected
        assert picker.select_one(".file-picker-list").has_attr("hidden")


def test_the_file_picker_speaks_french():
    with translation.override("fr"):
        page = soup(str(SampleForm()))
    assert page.select_one(".file-picker-prompt").get_text(strip=True) == (
        "Choisissez un fichier ou déposez-le ici"
    )
    assert page.select_one(".file-picker-list")["data-units"].split(",")[1] == "Ko"


def test_the_date_time_widget_draws_a_date_and_a_time_side_by_side():
    value = datetime.datetime(2026, 11, 8, 14, 30)
    html = SampleForm.base_fields["meets_at"].widget.render("meets_at", value)
    group = soup(html).select_one(".datetime")
    date, time = group.select("input")
    assert (date["type"], date["value"]) == ("date", "2026-11-08")
    assert (time["type"], time["value"]) == ("time", "14:30")
    assert date["aria-label"] and time["aria-label"]


def test_the_date_time_widget_reads_what_the_browser_sends():
    form = SampleForm(
        data={
            "name": "A",
            "kind": "a",
            "agree": "on",
            "meets_at_0": "2026-11-08",
            "meets_at_1": "14:30",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["meets_at"].replace(tzinfo=None) == datetime.datetime(
        2026, 11, 8, 14, 30
    )


@pytest.mark.django_db
def test_the_wagtail_admin_file_input_stays_a_plain_input(admin_client):
    response = admin_client.get("/admin/documents/add/")
    page = soup(response.content.decode())
    file_input = page.select_one("input[type=file][name=file]")
    assert file_input is not None
    zone = file_input.parent.select_one(".file-picker-zone")
    assert zone is None or zone.has_attr("hidden")
