from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        from challenges import sections
        from challenges.judging import hooks
        from datasets.hooks import dataset_sections
        from portal.hooks import home_sections, organization_sections

        home_sections.register(sections.home_open_challenges)
        organization_sections.register(sections.organization_open_challenges)
        dataset_sections.register(sections.dataset_challenges)
        hooks.register()
