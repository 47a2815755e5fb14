from modeltranslation.translator import TranslationOptions, register

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
