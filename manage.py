#!/usr/bin/env python
"""Django's command-line utility, with plain-language errors for unreachable services."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach_site.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line
        from django.db.utils import OperationalError

        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"配置错误 (configuration error): {error}\n")
        sys.exit(2)
    except OperationalError as error:
        from outreach_site.health import describe_database

        sys.stderr.write(f"数据库无法连接 (database unreachable): {describe_database()}\n{error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
