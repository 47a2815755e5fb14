from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetsConfig(AppConfig):
    name = "datasets"
    verbose_name = _("Datasets")

    def ready(self) -> None:
        from datasets.sections import home_catalog_section, organization_datasets_section
        from portal.hooks import home_sections, organization_sections

        home_sections.register(home_catalog_section)
        organization_sections.register(organization_datasets_section)
