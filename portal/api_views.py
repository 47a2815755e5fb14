from django_filters import rest_framework as filters
from rest_framework import viewsets

from portal.api import OrganizationSerializer
from portal.models import Organization


class OrganizationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Organization.Kind.choices)
    parent = filters.CharFilter(field_name="parent__slug")

    class Meta:
        model = Organization
        fields = ["kind", "parent"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Cities, agencies, companies, universities and civic groups on the portal."""

    queryset = Organization.objects.select_related("parent").order_by("slug")
    serializer_class = OrganizationSerializer
    lookup_field = "slug"
    filterset_class = OrganizationFilter
