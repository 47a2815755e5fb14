"""Extension points: apps add sections to portal pages without portal importing them.

An app registers a function in its AppConfig.ready(); the page calls each one and
renders the returned Section (or skips it when the function returns None):

    from portal.hooks import home_sections, Section
    home_sections.register(lambda request: Section("datasets/_home_recent.html", {...}))

Sections render in registration order, i.e. INSTALLED_APPS order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class SectionRegistry:
    def __init__(self) -> None:
        self._providers: list[Callable[..., Section | None]] = []

    def register(self, provider: Callable[..., Section | None]) -> Callable[..., Section | None]:
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, *args: Any, **kwargs: Any) -> list[Section]:
        sections = (provider(*args, **kwargs) for provider in self._providers)
        return [section for section in sections if section is not None]


# provider(request) -> Section | None
home_sections = SectionRegistry()
# provider(request, organization) -> Section | None
organization_sections = SectionRegistry()
