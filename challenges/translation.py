from modeltranslation.translator import TranslationOptions, register

from challenges.judging.models import Criterion, Measure, Milestone, Pilot, PilotUpdate
from challenges.models import Announcement, Challenge, Round


@register(Challenge)
class ChallengeTranslation(TranslationOptions):
    fields = (
        "title",
        "summary",
        "problem",
        "context",
        "expected_outcomes",
        "constraints",
        "success_measures",
        "prizes",
        "eligibility",
        "rules",
    )


@register(Round)
class RoundTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Announcement)
class AnnouncementTranslation(TranslationOptions):
    fields = ("title", "body")


# A city's pilots and a rubric's criteria are read in both languages, as the challenge is:
# a value written while one language is active fills that language, the other falls back.
@register(Pilot)
class PilotTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name", "description", "guidance")


# The criterion's history keeps each language's wording (simple_history copies the model's
# fields before modeltranslation adds the per-language ones).
@register(Criterion.history.model)
class HistoricalCriterionTranslation(TranslationOptions):
    fields = ("name", "description", "guidance")


# What a pilot's managers write as it runs is read in both languages too.
@register(Milestone)
class MilestoneTranslation(TranslationOptions):
    fields = ("title", "evidence")


@register(Measure)
class MeasureTranslation(TranslationOptions):
    fields = ("name", "unit")


@register(PilotUpdate)
class PilotUpdateTranslation(TranslationOptions):
    fields = ("title", "body")
