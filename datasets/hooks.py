"""Extension point on the dataset page: other apps (challenges) add sections to it.

from datasets.hooks import dataset_sections
dataset_sections.register(lambda request, dataset: Section("challenges/_for_dataset.html", {...}))
"""

from portal.hooks import SectionRegistry

# provider(request, dataset) -> portal.hooks.Section | None
dataset_sections = SectionRegistry()
