from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Submission
from datasets.models import Dataset, Theme
from portal import permissions as portal_permissions
from portal.models import Membership, Organization

BILINGUAL = [
    ("title", _("Title"), forms.CharField, {"max_length": 300}),
    ("summary", _("Summary"), forms.CharField, {"widget": forms.Textarea(attrs={"rows": 2})}),
    ("problem", _("The problem, in plain language"), forms.CharField, {"widget": forms.Textarea}),
    ("context", _("Context and who is affected"), forms.CharField, {"widget": forms.Textarea}),
    ("expected_outcomes", _("Expected outcomes"), forms.CharField, {"widget": forms.Textarea}),
    ("constraints", _("Constraints"), forms.CharField, {"widget": forms.Textarea}),
    ("success_measures", _("How success is measured"), forms.CharField, {"widget": forms.Textarea}),
    ("prizes", _("Prizes and support"), forms.CharField, {"widget": forms.Textarea}),
    ("eligibility", _("Eligibility"), forms.CharField, {"widget": forms.Textarea}),
    ("rules", _("Rules"), forms.CharField, {"widget": forms.Textarea}),
]
LANGS = [("zh_hant", _("Traditional Chinese")), ("en", _("English"))]


def posting_organizations(user):
    """The cities and agencies a person may post a challenge for (pages offer posting only
    then): challenges are the city's problems, not a company's."""
    if not user.is_authenticated:
        return Organization.objects.none()
    publishers = Organization.objects.publishers()
    if user.is_superuser:
        return publishers
    org_ids = portal_permissions.organizations_where(user, Membership.Role.EDITOR)
    return publishers.filter(pk__in=org_ids)


class ChallengeForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organization.objects.none()
    )
    slug = forms.SlugField(label=_("Short name (used in the web address)"), max_length=100)
    prize_money = forms.DecimalField(label=_("Prize money"), required=False, min_value=0)
    prize_currency = forms.CharField(label=_("Currency"), max_length=3, initial="TWD")
    offers_pilot = forms.BooleanField(label=_("Pilot opportunity"), required=False)
    offers_mentoring = forms.BooleanField(label=_("Mentoring"), required=False)
    allow_individuals = forms.BooleanField(
        label=_("Individuals may take part"), required=False, initial=True
    )
    allow_companies = forms.BooleanField(
        label=_("Companies and startups may take part"), required=False, initial=True
    )
    residents_only = forms.BooleanField(label=_("Residents only"), required=False)
    min_team_size = forms.IntegerField(label=_("Smallest team"), min_value=1, initial=1)
    max_team_size = forms.IntegerField(label=_("Largest team"), min_value=1, initial=5)
    max_entries_per_round = forms.IntegerField(
        label=_("Entries per team per round"), min_value=1, initial=1
    )
    contact_name = forms.CharField(label=_("Contact name"), required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    private = forms.BooleanField(label=_("Invite only"), required=False)
    datasets = forms.ModelMultipleChoiceField(
        label=_("Linked datasets"), queryset=Dataset.objects.none(), required=False
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), required=False
    )

    def __init__(self, *args, user, challenge: Challenge | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, field_class, options in BILINGUAL:
            for lang, lang_label in LANGS:
                self.fields[f"{name}_{lang}"] = field_class(
                    label=f"{label} ({lang_label})", required=False, **options
                )
        self.fields["organization"].queryset = posting_organizations(user)
        self.fields["datasets"].queryset = Dataset.objects.visible_to(user)
        if challenge is not None:
            del self.fields["organization"]
            for name in self.fields:
                if name in ("datasets", "themes"):
                    self.initial[name] = list(getattr(challenge, name).all())
                else:
                    self.initial[name] = getattr(challenge, name)

    def clean(self):
        data = super().clean()
        if not (data.get("title_zh_hant") or data.get("title_en")):
            self.add_error(
                "title_zh_hant", _("Give the challenge a title in at least one language.")
            )
        if not (data.get("problem_zh_hant") or data.get("problem_en")):
            self.add_error("problem_zh_hant", _("Describe the problem in at least one language."))
        return data


class RoundForm(forms.Form):
    title_zh_hant = forms.CharField(label=_("Title (Traditional Chinese)"), required=False)
    title_en = forms.CharField(label=_("Title (English)"), required=False)
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ExtendForm(forms.Form):
    """One per round in the workspace's table: pass auto_id=f"extend-{number}-%s"."""

    closes_at = forms.DateTimeField(
        label=_("New deadline"),
        error_messages={"required": _("Enter the new deadline.")},
        widget=forms.DateTimeInput(
            # The value a datetime-local input reads back, to the second.
            format="%Y-%m-%dT%H:%M:%S",
            attrs={"type": "datetime-local", "step": "1", "class": "form-control form-control-sm"},
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("Reason")}
        ),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=150)
    description = forms.CharField(
        label=_("About the team"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    company = forms.ModelChoiceField(
        label=_("Company represented"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Organization.objects.filter(
            kind=Organization.Kind.COMPANY,
            pk__in=portal_permissions.organizations_where(user, Membership.Role.MEMBER),
        )


class InviteForm(forms.Form):
    who = forms.CharField(label=_("Username or e-mail address"), max_length=254)


class SubmissionForm(forms.ModelForm):
    repository_url = forms.URLField(
        label=_("Source code repository"), required=False, assume_scheme="https"
    )
    demo_url = forms.URLField(label=_("Demo"), required=False, assume_scheme="https")
    video_url = forms.URLField(label=_("Video"), required=False, assume_scheme="https")

    class Meta:
        model = Submission
        fields = [
            "title",
            "summary",
            "description",
            "repository_url",
            "demo_url",
            "video_url",
            "datasets",
            "technology_readiness",
            "pilot_needs",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    accept_rules = forms.BooleanField(
        label=_("I have read and accept the rules of this challenge"), required=False
    )

    def __init__(self, *args, user, challenge: Challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].queryset = Dataset.objects.visible_to(user)
        self.fields["datasets"].required = False
        if not challenge.rules or (self.instance and self.instance.rules_accepted_at):
            del self.fields["accept_rules"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
    is_clarification = forms.BooleanField(
        label=_("This clarifies the rules (tell everyone)"), required=False
    )


class AnnouncementForm(forms.Form):
    title_zh_hant = forms.CharField(label=_("Title (Traditional Chinese)"), required=False)
    title_en = forms.CharField(label=_("Title (English)"), required=False)
    body_zh_hant = forms.CharField(
        label=_("Text (Traditional Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChallengeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    prize = forms.ChoiceField(
        label=_("Prize"),
        required=False,
        choices=[
            ("", _("Any")),
            ("money", _("Prize money")),
            ("pilot", _("Pilot opportunity")),
            ("mentoring", _("Mentoring")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any"))] + [
            c for c in Challenge.Status.choices if c[0] != Challenge.Status.DRAFT
        ]
        self.fields["city"].choices = [("", _("Any"))] + [
            (o.slug, o.name) for o in Organization.objects.cities()
        ]
        self.fields["theme"].choices = [("", _("Any"))] + [
            (t.slug, t.name) for t in Theme.objects.all()
        ]
