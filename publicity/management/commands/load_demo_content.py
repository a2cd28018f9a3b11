"""``manage.py load_demo_content``: build the demo county's site (idempotent)."""

from django.core.management.base import BaseCommand

from publicity.demo.loader import ADMIN_USERNAME, load_demo_content


class Command(BaseCommand):
    help = "Create demo columns, articles, exemplars, themes, key dates and an admin user."

    def handle(self, *args, **options):
        report = load_demo_content()
        if report.created:
            made = "，".join(f"{kind} {count}" for kind, count in sorted(report.created.items()))
            self.stdout.write(self.style.SUCCESS(f"演示内容已创建 (created): {made}"))
        else:
            self.stdout.write(
                "演示内容已存在，未作改动 (demo content already present; nothing changed)"
            )
        if report.admin_password:
            self.stdout.write(
                self.style.WARNING(
                    f"管理员账号 (admin login): {ADMIN_USERNAME} / {report.admin_password}\n"
                    "此密码只显示这一次，请妥善保存 (shown once only; keep it)."
                )
            )
