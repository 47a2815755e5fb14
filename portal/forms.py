import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Membership, Organization, User, slug_validator
from portal.services.organizations import SELF_SERVICE_KINDS


class OrganizationForm(forms.Form):
    slug = forms.CharField(
        label=_("Short name (used in the web address)"),
        max_length=100,
        validators=[slug_validator],
    )
    name_zh_hant = forms.CharField(
        label=_("Name (Traditional Chinese)"), max_length=200, required=False
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"))
    description_zh_hant = forms.CharField(
        label=_("Description (Traditional Chinese)"), widget=forms.Textarea, required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea, required=False
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("Contact e-mail"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Organization.Kind.choices
        if not user.is_staff:
            kinds = [(k, label) for k, label in kinds if k in SELF_SERVICE_KINDS]
        self.fields["kind"].choices = kinds

    def clean(self):
        data = super().clean()
        if not (data.get("name_zh_hant") or data.get("name_en")):
            raise forms.ValidationError(_("Give the organization a name in at least one language."))
        return data


class MembershipForm(forms.Form):
    user = forms.CharField(label=_("Username or e-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        user = get_user_model().objects.filter(Q(username=value) | Q(email__iexact=value)).first()
        if user is None:
            raise forms.ValidationError(_("No account with that username or e-mail."))
        return user


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new key"),
        max_length=100,
        help_text=_("Say which program will use it, so you know which key to revoke."),
        error_messages={"required": _("Give the key a name.")},
    )


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    class Meta:
        model = get_user_model()
        fields = ["display_name", "time_zone", "language"]
        labels = {"language": _("Language of e-mails")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones())
        self.fields["time_zone"].choices = [("", _("Site default")), *[(z, z) for z in zones]]
        self.fields["language"].choices = [("", _("Site default")), *settings.LANGUAGES]
