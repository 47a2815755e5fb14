"""A link to the harvest pages on the organization page, for its editors and admins."""

from portal import permissions
from portal.hooks import Section, organization_sections


def harvest_section(request, organization) -> Section | None:
    if not permissions.can_edit_for(request.user, organization):
        return None
    return Section("datasets/harvest_org_section.html", {"organization": organization})


organization_sections.register(harvest_section)
