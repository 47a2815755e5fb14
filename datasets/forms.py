import re

from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.ingest.fetch import link_refused
from datasets.ingest.types import type_name
from datasets.ingest.validate import pattern_problem
from datasets.models import Dataset, License, Theme, dataset_name_validator
from datasets.services.catalog import RESERVED_NAMES
from portal import permissions
from portal.models import Membership, Organization

TAG_SEPARATORS = re.compile(r"[,，、]")


class DatasetForm(forms.Form):
    """Metadata of a dataset; `organization` and `name` only when creating one."""

    organization = forms.ModelChoiceField(
        label=_("Publisher"), queryset=Organization.objects.none(), to_field_name="slug"
    )
    name = forms.CharField(
        label=_("Short name (used in the web address)"),
        max_length=100,
        validators=[dataset_name_validator],
        help_text=_("Lowercase letters, digits, '-' and '_', e.g. bus-routes."),
    )
    title_zh_hant = forms.CharField(
        label=_("Title (Traditional Chinese)"), max_length=300, required=False
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    summary_zh_hant = forms.CharField(
        label=_("Plain-language summary (Traditional Chinese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=600,
        required=False,
    )
    summary_en = forms.CharField(
        label=_("Plain-language summary (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=600,
        required=False,
    )
    description_zh_hant = forms.CharField(
        label=_("Description in Markdown (Traditional Chinese)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    description_en = forms.CharField(
        label=_("Description in Markdown (English)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    license = forms.ModelChoiceField(label=_("License"), queryset=License.objects.all())
    update_frequency = forms.ChoiceField(
        label=_("Update frequency"), choices=Dataset.Frequency.choices
    )
    temporal_start = forms.DateField(
        label=_("Covers from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    temporal_end = forms.DateField(
        label=_("Covers until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    spatial = forms.CharField(label=_("Area covered"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    source = forms.CharField(label=_("Source"), max_length=500, required=False)
    private = forms.BooleanField(
        label=_("Private: only members of the organization can see it"), required=False
    )

    def __init__(self, *args, user, dataset: Dataset | None = None, **kwargs):
        if dataset is not None:
            initial = {
                field: getattr(dataset, field)
                for field in self.base_fields
                if field not in ("organization", "name", "themes", "tags")
            }
            initial["themes"] = list(dataset.themes.all())
            initial["tags"] = ", ".join(tag.name for tag in dataset.tags.all())
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if dataset is not None:
            del self.fields["organization"]
            del self.fields["name"]
        else:
            org_ids = permissions.organizations_where(user, Membership.Role.EDITOR)
            self.fields["organization"].queryset = Organization.objects.filter(pk__in=org_ids)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "private" else "form-control"
            if name in ("license", "update_frequency", "organization"):
                css = "form-select"
            if name != "themes":
                field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if not (data.get("title_zh_hant") or data.get("title_en")):
            self.add_error("title_zh_hant", _("Give the dataset a title in at least one language."))
        if not (data.get("summary_zh_hant") or data.get("summary_en")):
            self.add_error(
                "summary_zh_hant",
                _("Write a plain-language summary in at least one language."),
            )
        # Also checked by the catalog services (the API goes through them), but here too
        # so that the form shows every problem at once rather than one round at a time.
        start, end = data.get("temporal_start"), data.get("temporal_end")
        if start and end and start > end:
            self.add_error("temporal_end", _("The end of the period covered is before its start."))
        name = data.get("name")
        if name in RESERVED_NAMES:
            self.add_error("name", _("This short name is reserved. Choose another one."))
        elif name and Dataset.objects.filter(name=name).exists():
            self.add_error("name", _("A dataset with this short name already exists."))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        # Chinese text separates with its own commas: ， (full-width) and 、 (enumeration).
        data["tags"] = [t for t in TAG_SEPARATORS.split(data.get("tags") or "") if t.strip()]
        data["contact_email"] = data.get("contact_email") or ""
        return data


class ResourceForm(forms.Form):
    name_zh_hant = forms.CharField(label=_("Name (Traditional Chinese)"), required=False)
    name_en = forms.CharField(label=_("Name (English)"), required=False)
    description_zh_hant = forms.CharField(
        label=_("Description (Traditional Chinese)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    file = forms.FileField(label=_("Upload a file"), required=False)
    url = forms.URLField(label=_("…or link to a file"), required=False, assume_scheme="https")
    format = forms.CharField(
        label=_("Format"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to take it from the file name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def clean_url(self):
        url = self.cleaned_data.get("url")
        # Links the worker would refuse on their face are refused now, not after the
        # editor was told the file is being processed.
        problem = link_refused(url) if url else ""
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean(self):
        data = super().clean()
        # A link that failed its own validation was still given: its error says enough.
        gave_url = bool(data.get("url")) or self.has_error("url")
        if bool(data.get("file")) == gave_url:
            raise forms.ValidationError(_("Upload a file or give a link, not both or neither."))
        return data


class ResourceEditForm(ResourceForm):
    """A file's or link's name and description and, if given, a new file or link in its
    place: read as a new version, the live one kept until it passes.

    The format starts empty, the present one shown as a placeholder: a format typed is
    the one wanted, even the present one for a new file whose name says otherwise, and
    one left empty is kept, or taken from a new file's name."""

    def __init__(self, *args, current_format: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if current_format:
            self.fields["format"].widget.attrs["placeholder"] = current_format
            self.fields["format"].help_text = _(
                "Leave empty to keep %(format)s, or with a new file or link, to take it "
                "from its name."
            ) % {"format": current_format}
        self.fields["file"].label = _("Replace with a new file")
        self.fields["url"].label = _("…or with a link")
        self.fields["file"].help_text = _(
            "Leave both empty to keep the file. A new file is read as a new version; the "
            "version online stays until it passes. Your reading settings (encoding, sheet, "
            "header rows) are kept."
        )

    def clean(self):
        data = forms.Form.clean(self)
        gave_url = bool(data.get("url")) or self.has_error("url")
        if data.get("file") and gave_url:
            raise forms.ValidationError(_("Upload a file or give a link, not both."))
        if not (data.get("file") or gave_url) and not (
            data.get("name_zh_hant") or data.get("name_en")
        ):
            self.add_error("name_zh_hant", _("Give the file a name in at least one language."))
        return data


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the editors change?"),
        error_messages={"required": _("Say what the editors should change.")},
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


# Table Schema's names for the column types the ingestion knows (validate.SCHEMA_TYPES
# reads them back).
DICTIONARY_TYPES = {
    "text": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "geometry": "geojson",
}


class MissingValuesForm(forms.Form):
    """The cell values that mean "no value" in the file (Table Schema's missingValues)."""

    missing_values = forms.CharField(
        label=_("Values that mean 'no value', one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Empty cells always mean no value."),
    )

    @staticmethod
    def initial_for(schema: dict, defaults) -> dict:
        values = schema.get("missingValues")
        values = values if isinstance(values, list) else list(defaults)
        return {"missing_values": "\n".join(str(v) for v in values if v != "")}

    def values(self, defaults) -> list | None:
        """The schema's missingValues, the empty cell first; None for the site's defaults."""
        typed = self.cleaned_data["missing_values"].splitlines()
        values = ["", *dict.fromkeys(v.strip() for v in typed if v.strip())]
        return None if set(values) == set(defaults) else values


class DictionaryFieldForm(forms.Form):
    """One column of a resource's data dictionary (a Table Schema field)."""

    # The field's keys and constraints this form sets; others are kept as they were.
    KEYS = ("name", "title", "description", "unit", "type", "constraints")
    CONSTRAINTS = ("required", "unique", "minimum", "maximum", "pattern", "enum")

    name = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Label"), required=False, max_length=200)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=50)
    type = forms.ChoiceField(
        label=_("Type"),
        # The ingestion's own names for its types (whole number, yes/no value...).
        choices=[(name, type_name(kind)) for kind, name in DICTIONARY_TYPES.items()],
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    unique = forms.BooleanField(label=_("Unique"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    enum = forms.CharField(
        label=_("Allowed values, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    minimum = forms.CharField(label=_("Minimum"), required=False, max_length=50)
    maximum = forms.CharField(label=_("Maximum"), required=False, max_length=50)
    pattern = forms.CharField(
        label=_("Pattern (regular expression)"), required=False, max_length=500
    )

    def clean(self):
        data = super().clean()
        name = data.get("name", "")
        problem = pattern_problem(data["pattern"]) if data.get("pattern") else None
        if problem is not None:
            self.add_error(
                "pattern",
                _("Column '%(name)s': the pattern is not a regular expression (%(error)s).")
                % {"name": name, "error": problem},
            )
        bounds = {}
        for key in ("minimum", "maximum"):
            if not data.get(key):
                continue
            if data.get("type") not in ("integer", "number"):
                self.add_error(
                    key,
                    _("Column '%(name)s': a minimum or maximum applies to numbers only.")
                    % {"name": name},
                )
                continue
            try:
                bounds[key] = float(data[key])
            except ValueError:
                self.add_error(
                    key,
                    _("Column '%(name)s': '%(value)s' is not a number.")
                    % {"name": name, "value": data[key]},
                )
                continue
            if data["type"] == "integer":
                if not bounds[key].is_integer():
                    del bounds[key]
                    self.add_error(
                        key,
                        _("Column '%(name)s': '%(value)s' is not a whole number.")
                        % {"name": name, "value": data[key]},
                    )
                else:
                    bounds[key] = int(bounds[key])
        if len(bounds) == 2 and bounds["minimum"] > bounds["maximum"]:
            self.add_error(
                "maximum",
                _("Column '%(name)s': the maximum is below the minimum.") % {"name": name},
            )
        data.update(bounds)
        return data

    def field(self, inferred_type: str | None, before: dict | None) -> dict | None:
        """The Table Schema field, or None when it says nothing the file does not and the
        dictionary did not list it before (a column left as it was read keeps being typed
        from its values). What the form does not show of the field `before` is kept."""
        data = self.cleaned_data
        before = before or {}
        kept = before.get("constraints") if isinstance(before.get("constraints"), dict) else {}
        constraints = {k: v for k, v in kept.items() if k not in self.CONSTRAINTS}
        constraints |= {k: True for k in ("required", "unique") if data.get(k)}
        for key in ("minimum", "maximum", "pattern"):
            if data.get(key) not in (None, ""):
                constraints[key] = data[key]
        values = [v.strip() for v in data.get("enum", "").splitlines() if v.strip()]
        if values:
            constraints["enum"] = values
        field = {k: v for k, v in before.items() if k not in self.KEYS}
        field["name"] = data["name"]
        field |= {k: data[k].strip() for k in ("title", "description", "unit") if data.get(k)}
        if constraints:
            field["constraints"] = constraints
        if len(field) == 1 and data["type"] == inferred_type and not before:
            return None
        return field | {"type": data["type"]}
