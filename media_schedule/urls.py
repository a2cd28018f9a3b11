"""Public endpoints of the scheduler (outlet callbacks, screen pulls)."""

urlpatterns: list = []
