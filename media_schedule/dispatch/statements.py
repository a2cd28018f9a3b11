"""ORM updates compiled once per process and run many times with fresh values.

A worker takes each placement with one conditional UPDATE whose WHERE clause holds the review
rules as subqueries (``approval.approved_as_recorded``). Building and compiling that queryset
costs the worker more CPU than the database spends running it, and its shape never changes:
only the row, the claim token and the times do. So the ORM compiles it once, with marker
values in those places, and later calls reuse the SQL with their own values put where the
markers were. The rules stay written once, in the ORM.
"""

import datetime
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections, models, transaction

# Values no real row carries, one per parameter, so each is found exactly where it was used.
_MARKER_BASE = 7_315_000


def _marker(field: models.Field, n: int) -> Any:
    kind = field.get_internal_type()
    if kind in {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField"}:
        return -(_MARKER_BASE + n)
    if kind == "UUIDField":
        return uuid.UUID(int=_MARKER_BASE + n)
    if kind == "DateTimeField":
        return datetime.datetime(1901 + n, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC)
    raise TypeError(f"no marker value for a {kind}")


class CompiledUpdate:
    """An ``update()`` built by ``build`` and compiled once per database and shape.

    ``build(values)`` returns the queryset and the update's keyword arguments, using the given
    values; ``parameters`` names each value and the model field it is compared with or stored
    in, which decides how the database adapts it. ``shape`` covers whatever else changes the
    SQL (a setting read while building, say).
    """

    def __init__(
        self,
        model: type[models.Model],
        parameters: dict[str, str],
        build: Callable[[dict[str, Any]], tuple[models.QuerySet, dict[str, Any]]],
    ):
        self.model = model
        self.fields = {name: model._meta.get_field(field) for name, field in parameters.items()}
        self.build = build
        self._compiled: dict[tuple, tuple[str, list, dict[str, list[int]]]] = {}

    def run(self, *, shape: Hashable = (), using: str = "default", **values: Any) -> int:
        """Execute the update with ``values``; return the number of rows changed."""
        connection = connections[using]
        key = (using, connection.settings_dict["NAME"], shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        sql, template, slots = compiled
        params = list(template)
        for name, positions in slots.items():
            adapted = self.fields[name].get_db_prep_value(values[name], connection)
            for position in positions:
                params[position] = adapted
        with (
            transaction.mark_for_rollback_on_error(using=using),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
            return cursor.rowcount

    def _compile(self, using: str) -> tuple[str, list, dict[str, list[int]]]:
        from django.db.models.sql import UpdateQuery

        connection = connections[using]
        markers = {name: _marker(field, n) for n, (name, field) in enumerate(self.fields.items())}
        queryset, changes = self.build(markers)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        sql, params = query.get_compiler(using).as_sql()
        adapted = {
            name: self.fields[name].get_db_prep_value(marker, connection)
            for name, marker in markers.items()
        }
        slots = {
            name: [n for n, param in enumerate(params) if param == value]
            for name, value in adapted.items()
        }
        missing = [name for name, positions in slots.items() if not positions]
        if missing:
            raise ValueError(f"the built update does not use {', '.join(missing)}")
        return sql, list(params), slots
