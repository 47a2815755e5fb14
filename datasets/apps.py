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
        from datasets.datastore.preview import dataset_preview_section
        from datasets.hooks import dataset_sections
        from datasets.interop import hooks  # noqa: F401 - registers the harvest section

        dataset_sections.register(dataset_preview_section)
