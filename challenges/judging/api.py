"""Judging over the REST API: published results (GET /api/v1/challenges/{slug}/results/)
and pilots (GET /api/v1/pilots/, /api/v1/pilots/{slug}/)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from challenges.judging import selectors
from challenges.judging.models import Measure, Milestone, Pilot, PilotUpdate, Result
from challenges.judging.services.results import public_snapshot
from challenges.models import Challenge
from datasets.models import Dataset


class EntryResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    team = serializers.CharField()
    rank = serializers.IntegerField()
    raw = serializers.FloatField()
    normalised = serializers.FloatField()
    tied = serializers.BooleanField()
    judges = serializers.IntegerField()
    award = serializers.CharField()
    prize = serializers.CharField()
    criteria = serializers.ListField(child=serializers.DictField())


class RoundResultSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField()
    method = serializers.CharField()
    method_note = serializers.CharField()
    scale = serializers.ListField(child=serializers.FloatField())
    tie_margin = serializers.FloatField()
    criteria = serializers.ListField(child=serializers.DictField())
    entries = EntryResultSerializer(many=True)


class ChallengeResultsSerializer(serializers.Serializer):
    challenge = serializers.CharField()
    rounds = RoundResultSerializer(many=True)


@extend_schema(responses=ChallengeResultsSerializer, summary="Published results of a challenge")
@api_view(["GET"])
@permission_classes([AllowAny])
def challenge_results(request, slug: str) -> Response:
    challenge = get_object_or_404(Challenge.objects.visible_to(request.user), slug=slug)
    published = Result.objects.filter(
        round__challenge=challenge, published_at__isnull=False
    ).select_related("round")
    rounds = [
        {"round": r.round.number, "title": r.round.title, **public_snapshot(r)}
        for r in published.order_by("round__number")
    ]
    return Response(
        ChallengeResultsSerializer({"challenge": challenge.slug, "rounds": rounds}).data
    )


# Pilots ----------------------------------------------------------------------------------


def _per_language(*names: str) -> list[str]:
    """A translated text as the challenges API gives it: the reader's language (with the
    other as fallback) under its plain name, then each language's own (null when empty)."""
    return [f"{name}{suffix}" for name in names for suffix in ("", "_zh_hant", "_en")]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            *_per_language("title"),
            "due_on",
            "done_on",
            *_per_language("evidence"),
            "evidence_url",
        ]


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", *_per_language("name", "unit"), "baseline", "target", "actual"]


class PilotUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PilotUpdate
        fields = ["id", *_per_language("title", "body"), "published_at"]


class PilotSerializer(serializers.ModelSerializer):
    host_agency = serializers.CharField(source="host_agency.slug")
    challenge = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Pilot
        fields = [
            "slug",
            *_per_language("title", "summary"),
            "status",
            "public",
            "host_agency",
            "challenge",
            "site",
            "starts_on",
            "ends_on",
            "budget",
            "currency",
            "url",
        ]

    def get_challenge(self, obj) -> str | None:
        # Named only to readers who may see it, as on the pilot's page.
        visible = self.context["visible_challenges"]
        return obj.challenge.slug if obj.challenge_id in visible else None

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class PilotDetailSerializer(PilotSerializer):
    datasets = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True)
    measures = MeasureSerializer(many=True)
    updates = PilotUpdateSerializer(many=True)

    class Meta(PilotSerializer.Meta):
        fields = [
            *PilotSerializer.Meta.fields,
            "support",
            "datasets",
            "milestones",
            "measures",
            "updates",
        ]

    def get_datasets(self, obj) -> list[str]:
        # A dataset made private or taken back to draft stays linked: only its readers see it.
        return [dataset.name for dataset in obj.visible_datasets]


class PilotPagination(LimitOffsetPagination):
    max_limit = 100


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("status", enum=Pilot.Status.values)])
)
class PilotViewSet(viewsets.ReadOnlyModelViewSet):
    """Public pilots, and those in preparation the caller manages. Filter: status."""

    lookup_field = "slug"
    filter_backends: list = []
    pagination_class = PilotPagination

    def get_queryset(self):
        user = self.request.user
        pilots = (
            selectors.pilots_visible(user=user)
            .select_related("host_agency", "challenge")
            .order_by("-starts_on", "slug")
        )
        status = self.request.query_params.get("status")
        if status:
            if status not in Pilot.Status.values:
                raise serializers.ValidationError(
                    {"status": [_("Choose one of the listed statuses.")]}
                )
            pilots = pilots.filter(status=status)
        if self.action == "retrieve":
            pilots = pilots.prefetch_related(
                "milestones",
                "measures",
                "updates",
                Prefetch(
                    "datasets",
                    queryset=Dataset.objects.visible_to(user).order_by("name"),
                    to_attr="visible_datasets",
                ),
            )
        return pilots

    def get_serializer_class(self):
        return PilotDetailSerializer if self.action == "retrieve" else PilotSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        visible = Challenge.objects.visible_to(self.request.user).filter(pilots__isnull=False)
        context["visible_challenges"] = set(visible.values_list("pk", flat=True))
        return context
