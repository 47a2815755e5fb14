"""Published results over the REST API: GET /api/v1/challenges/{slug}/results/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from challenges.judging.models import Result
from challenges.judging.services.results import public_snapshot
from challenges.models import Challenge


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
