"""Pieces shared by every app's REST API: error shape, permissions, the `me` endpoint."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.models import Membership


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError/PermissionDenied from services.

    Services raise Django exceptions; the API answers them as 400/403 JSON with the
    field names the service used, so a client sees exactly which field is wrong.
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


class MembershipOutSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.slug")
    name = serializers.CharField(source="organization.name")
    kind = serializers.CharField(source="organization.kind")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.EmailField()
    is_staff = serializers.BooleanField()
    organizations = MembershipOutSerializer(many=True, source="memberships_list")


@extend_schema(responses=MeSerializer, summary="Who am I: the caller and their organizations")
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    user = request.user
    user.memberships_list = list(
        Membership.objects.filter(user=user).select_related("organization")
    )
    return Response(MeSerializer(user).data)


class OrganizationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    name_zh_hant = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.CharField(source="parent.slug", allow_null=True, default=None)
    website = serializers.URLField()
    email = serializers.EmailField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path
