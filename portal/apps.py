from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        user_signed_up.connect(_remember_language, dispatch_uid="portal.remember_language")


def _remember_language(sender, request, user, **kwargs) -> None:
    """Someone who signs up on the English pages gets their e-mail in English."""
    from django.conf import settings
    from django.utils import translation

    language = translation.get_language()
    if not user.language and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
