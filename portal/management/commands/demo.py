"""Load the demo city, its agencies and the demo accounts. Safe to run again.

Each app may add its own demo content in `<app>/demo.py` with a `load(stdout)` function;
they run in INSTALLED_APPS order, so datasets exist before challenges link to them.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo import DEMO_PASSWORD
from portal.demo import load as load_portal


class Command(BaseCommand):
    help = "Create (or refresh) demo cities, agencies, accounts and content. Demo use only."

    def handle(self, *args, **options):
        with transaction.atomic():
            load_portal(self.stdout)
            for config in apps.get_app_configs():
                if config.name == "portal":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(self.stdout)
        self.stdout.write(
            self.style.WARNING(
                f"Demo accounts (password {DEMO_PASSWORD!r}, demo use only): "
                "demo-admin, demo-editor, demo-member, demo-judge, demo-participant, demo-staff"
            )
        )
