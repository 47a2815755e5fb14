from django.contrib.sitemaps import Sitemap

from datasets.models import Dataset


class DatasetSitemap(Sitemap):
    """Public, published datasets only: drafts and private datasets never appear."""

    changefreq = "weekly"
    i18n = True

    def items(self):
        return Dataset.objects.published().only("name", "metadata_modified").order_by("name")

    def lastmod(self, dataset):
        return dataset.metadata_modified
