from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.services.api_keys import api_key_create


class Command(BaseCommand):
    help = "Print a new API key for USERNAME (only its hash is stored; it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the key is for (profile page)")

    def handle(self, *args, username: str, name: str, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        _token, key = api_key_create(user=user, name=name)
        self.stdout.write(key)
