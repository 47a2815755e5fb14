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

    listed = selectors.organization_datasets(user=request.user, organization=organization)
    archived = selectors.organization_archived_datasets(
        user=request.user, organization=organization
    )
    count = listed.count()
    return Section(
        "datasets/_organization_datasets.html",
        {
            "organization": organization,
            "datasets": list(listed[:ORG_PAGE_LIMIT]),
            "count": count,
            "more": count > ORG_PAGE_LIMIT,
            "archived": list(archived[:ORG_PAGE_LIMIT]),
            "archived_count": archived.count(),
            "can_create": permissions.can_create_dataset_for(request.user, organization),
        },
    )
