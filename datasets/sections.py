"""Sections the catalog adds to portal pages (registered in DatasetsConfig.ready)."""

from portal.hooks import Section

ORG_PAGE_LIMIT = 20


def home_catalog_section(request) -> Section:
    from datasets import selectors

    user = request.user
    themes = [theme for theme in selectors.themes_with_counts(user=user) if theme.n]
    return Section(
        "datasets/_home_catalog.html",
        {
            "themes": themes,
            "recent": selectors.datasets_recent(user=user),
            "most_viewed": selectors.datasets_most_viewed(user=user),
        },
    )


def organization_datasets_section(request, organization) -> Section:
    from datasets import permissions, selectors

    datasets = list(
        selectors.organization_datasets(user=request.user, organization=organization)[
            : ORG_PAGE_LIMIT + 1
        ]
    )
    return Section(
        "datasets/_organization_datasets.html",
        {
            "organization": organization,
            "datasets": datasets[:ORG_PAGE_LIMIT],
            "more": len(datasets) > ORG_PAGE_LIMIT,
            "can_create": permissions.can_create_dataset_for(request.user, organization),
        },
    )
