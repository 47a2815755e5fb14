"""Pages (inside the language prefix)."""

urlpatterns: list = []
