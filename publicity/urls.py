"""Public URLs of the column outside Wagtail's page tree."""

urlpatterns: list = []
