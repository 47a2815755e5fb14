"""Forms of the pilot pages. They read and check what the official typed; the services in
challenges/judging/services/pilots.py check permissions and save."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from challenges.forms import LANGS
from challenges.judging.models import Measure, Milestone, Pilot, PilotUpdate
from datasets.models import Dataset
from portal import permissions
from portal.models import Membership, Organization


class _ServiceErrors:
    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal next to the field it names, else above the form."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(_form_field(self, name), messages)
        else:
            self.add_error(None, error.messages)


class _StyledForm(_ServiceErrors, forms.ModelForm):
    """Bootstrap classes on every widget, as the site's other forms have."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):  # SelectMultiple included
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def _reader_language() -> str:
    """The suffix of the reader's language's fields: "en" or "zh_hant"."""
    return "en" if (get_language() or "").startswith("en") else "zh_hant"


def _form_field(form: forms.BaseForm, name: str) -> str | None:
    """The input a service's error about `name` belongs to. A text kept per language is
    named by its plain name ("title"): its error goes under the reader's language."""
    for candidate in (name, f"{name}_{_reader_language()}"):
        if candidate in form.fields:
            return candidate
    return None


# What a language left empty shows, said under its input.
FALLBACK_HELP = {
    "zh_hant": _("Left empty, Chinese pages show the English."),
    "en": _("Left empty, English pages show the Chinese."),
}


class _Bilingual:
    """One input per language for each text in `texts` ({plain name: label}), named as the
    model's fields (title_zh_hant, title_en). `needed` ({plain name: message}) are texts to
    give in at least one language; the message goes under the reader's language's input.
    A language left empty is None, so readers of that language see the other."""

    texts: dict = {}
    needed: dict = {}

    def _bilingual_inputs(self) -> None:
        for name, label in self.texts.items():
            for lang, lang_label in LANGS:
                field = self.fields[f"{name}_{lang}"]
                field.required = False
                field.empty_value = None
                field.label = f"{label} ({lang_label})"
                extra = field.help_text
                field.help_text = f"{extra} {FALLBACK_HELP[lang]}" if extra else FALLBACK_HELP[lang]

    def _check_needed(self, data: dict) -> None:
        for name, message in self.needed.items():
            if not any(data.get(f"{name}_{lang}") for lang, _label in LANGS):
                field = f"{name}_{_reader_language()}"
                if field not in self.errors:  # a text too long already says so there
                    self.add_error(field, message)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmountField(forms.DecimalField):
    """A sum of money as officials write it: 1,500,000 and 1 500 000 are read as 1500000.
    A text box, since a number box would refuse the separators."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace(" ", "")
        return super().to_python(value)


class PilotForm(_Bilingual, _StyledForm):
    """A pilot's description. The short name is asked only when the pilot is created: it
    is the public page's web address."""

    texts = {"title": _("Title"), "summary": _("Summary")}
    needed = {"title": _("Give the pilot a title in at least one language.")}

    slug = forms.SlugField(
        label=_("Short name (used in the web address)"),
        max_length=100,
        required=False,
        help_text=_(
            "Latin letters, digits and hyphens, e.g. shaded-bus-stops. "
            "Left empty, it is made from the title."
        ),
        # The model's uniqueness check reports through the form field's messages.
        error_messages={"unique": _("Another pilot already uses this short name.")},
    )
    budget = AmountField(
        label=_("Budget"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=0,
        help_text=_("A whole amount, e.g. 1500000 or 1,500,000."),
        error_messages={
            "invalid": _("Give the budget as a number, e.g. 1500000."),
            "max_decimal_places": _("Give the budget as a whole amount, without decimals."),
            "max_digits": _("The budget can have at most 12 digits."),
            "max_whole_digits": _("The budget can have at most 12 digits."),
        },
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        initial="TWD",
        help_text=_("Three-letter code, e.g. TWD or EUR."),
        error_messages={"max_length": _("Give the currency as three letters, e.g. TWD.")},
    )

    class Meta:
        model = Pilot
        fields = [
            "title_zh_hant",
            "title_en",
            "slug",
            "summary_zh_hant",
            "summary_en",
            "host_agency",
            "site",
            "starts_on",
            "ends_on",
            "budget",
            "currency",
            "support",
            "datasets",
            "public",
        ]
        labels = {
            "host_agency": _("Host agency"),
            "site": _("Site"),
            "starts_on": _("Start date"),
            "ends_on": _("End date"),
            "support": _("Support provided"),
            "datasets": _("Datasets used"),
            "public": _("Shown in public"),
        }
        help_texts = {
            "site": _("Where the pilot runs, e.g. ten bus stops in Xinyi District."),
            "support": _("What the host agency provides: access, power, data, staff time."),
            "datasets": _("Published datasets the pilot relies on."),
            "public": _("Untick to prepare the pilot before anyone else can see it."),
        }
        widgets = {
            "summary_zh_hant": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "support": forms.Textarea(attrs={"rows": 2}),
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "datasets": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._bilingual_inputs()
        editing = self.instance.pk is not None
        if editing:
            del self.fields["slug"]
        # Agencies the official edits for; a pilot keeps its current host in the list.
        hosts = Organization.objects.all()
        if not user.is_superuser:
            allowed = set(permissions.organizations_where(user, Membership.Role.EDITOR))
            if editing:
                allowed.add(self.instance.host_agency_id)
            hosts = hosts.filter(pk__in=allowed)
        self.fields["host_agency"].queryset = hosts
        # Published datasets; a pilot keeps the ones it already lists.
        datasets = Q(pk__in=Dataset.objects.published())
        if editing:
            datasets |= Q(pilots=self.instance)
        self.fields["datasets"].queryset = Dataset.objects.filter(datasets).distinct()

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            raise forms.ValidationError(_("Give the currency as three letters, e.g. TWD."))
        return currency

    def clean(self):
        data = super().clean()
        self._check_needed(data)
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            # Named here so the database's own check never has to speak to the official.
            self.add_error("ends_on", _("The pilot must end after it starts."))
        if data.get("budget") is not None and not data.get("currency"):
            self.add_error("currency", _("Give the budget's currency."))
        return data


class CriterionForm(_Bilingual, _ServiceErrors, forms.Form):
    """A rubric's criterion as organizers add it; panel.criterion_add checks the weight and
    that no other criterion of the rubric has the same name."""

    texts = {
        "name": _("Criterion"),
        "description": _("Description"),
        "guidance": _("Guidance for judges"),
    }
    needed = {"name": _("Give the criterion a name in at least one language.")}

    name_zh_hant = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200)
    weight = forms.CharField(label=_("Weight"), max_length=20, initial="1")
    description_zh_hant = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    description_en = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    guidance_zh_hant = forms.CharField(
        help_text=_("What a low and a high score mean."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    guidance_en = forms.CharField(
        help_text=_("What a low and a high score mean."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, criterion=None, **kwargs):
        """With `criterion`: the form that edits it, filled with its texts in each
        language. Once scoring has started its weight is shown but cannot be changed."""
        if criterion is not None:
            kwargs.setdefault("prefix", f"criterion-{criterion.pk}")
            kwargs["initial"] = {
                f"{name}_{lang}": getattr(criterion, f"{name}_{lang}") or ""
                for name in self.texts
                for lang, _label in LANGS
            } | {"weight": criterion.weight.normalize()}
        super().__init__(*args, **kwargs)
        self._bilingual_inputs()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        if criterion is not None and criterion.rubric.frozen_at is not None:
            weight = self.fields["weight"]
            weight.widget.attrs["readonly"] = True
            weight.help_text = _("Scoring has started: the weight can no longer be changed.")

    def clean(self):
        data = super().clean()
        self._check_needed(data)
        return data


class PilotStatusForm(_StyledForm):
    class Meta:
        model = Pilot
        fields = ["status"]
        labels = {"status": _("Status")}


class _RowForm(_Bilingual, _StyledForm):
    """A milestone, measure or update of a pilot, its texts in both languages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bilingual_inputs()

    def clean(self):
        data = super().clean()
        self._check_needed(data)
        return data


class MilestoneForm(_RowForm):
    texts = {"title": _("Milestone"), "evidence": _("Evidence")}
    needed = {"title": _("Give the milestone a title in at least one language.")}

    evidence_url = forms.URLField(
        label=_("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A web address, e.g. a report or photos."),
    )

    class Meta:
        model = Milestone
        fields = [
            "title_zh_hant",
            "title_en",
            "due_on",
            "done_on",
            "evidence_zh_hant",
            "evidence_en",
            "evidence_url",
        ]
        labels = {"due_on": _("Due"), "done_on": _("Done on")}
        widgets = {
            "due_on": _date_input(),
            "done_on": _date_input(),
            "evidence_zh_hant": forms.Textarea(attrs={"rows": 2}),
            "evidence_en": forms.Textarea(attrs={"rows": 2}),
        }


class MeasureForm(_RowForm):
    texts = {"name": _("Measure"), "unit": _("Unit")}
    needed = {"name": _("Name the measure in at least one language.")}

    class Meta:
        model = Measure
        fields = [
            "name_zh_hant",
            "name_en",
            "unit_zh_hant",
            "unit_en",
            "baseline",
            "target",
            "actual",
        ]
        labels = {"baseline": _("Baseline"), "target": _("Target"), "actual": _("Actual")}
        help_texts = {
            "unit_zh_hant": _("e.g. minutes, °C, percent"),
            "unit_en": _("e.g. minutes, °C, percent"),
        }


class PilotUpdateForm(_RowForm):
    texts = {"title": _("Title"), "body": _("Text")}
    needed = {
        "title": _("Give the update a title in at least one language."),
        "body": _("Write the update's text in at least one language."),
    }

    class Meta:
        model = PilotUpdate
        fields = ["title_zh_hant", "title_en", "body_zh_hant", "body_en"]
        help_texts = {
            "body_zh_hant": _("Markdown: **bold**, lists, [links](https://…)."),
            "body_en": _("Markdown: **bold**, lists, [links](https://…)."),
        }
        widgets = {
            "body_zh_hant": forms.Textarea(attrs={"rows": 4}),
            "body_en": forms.Textarea(attrs={"rows": 4}),
        }
