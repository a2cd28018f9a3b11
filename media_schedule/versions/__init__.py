"""Per-outlet versions of an item (一次采集、多种生成).

One module per outlet kind builds that outlet's version of a page and validates it against
the outlet's limits. A module offers two functions:

- ``build(page) -> dict``: the default version, plain JSON so the placement can store it and an
  editor can adjust it;
- ``validate(version) -> list[VersionProblem]``: every violation, worded for an editor in
  Chinese with the count (标题超出 5 字), without any network or database access so the admin can
  show problems while the editor types.

The channel adapter of that kind delegates ``build_version`` and ``validate`` to its module, so
an LED, broadcast or newspaper outlet is one new module here plus one adapter, and the
dispatcher never changes. Helpers shared by the modules live in ``common``.
"""
