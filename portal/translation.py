from modeltranslation.translator import TranslationOptions, register

from portal.models import Organization


@register(Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ("name", "description")
