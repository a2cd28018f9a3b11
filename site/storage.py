"""Where uploads are kept: public images under MEDIA_ROOT, private files out of its reach.

Documents go out only through Wagtail's document view, which checks collection privacy, and
LED packages only through a screen's token pull or the permission-checked admin download.
Their files (and the editors' half-finished uploads) therefore live under
``PRIVATE_MEDIA_ROOT``, which no URL and no front server serves. A file stored under
MEDIA_ROOT before this split is still read from there until ``manage.py move_private_media``
moves it.
"""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_join

# Upload folders (as Wagtail and our models name them) whose files are never public.
PRIVATE_FOLDERS = ("documents/", "evidence/", "led/", "wagtail_uploads/")


def is_private(name: str) -> bool:
    """Whether the stored file ``name`` belongs under the private root."""
    return os.path.normpath(name).replace("\\", "/").lstrip("/").startswith(PRIVATE_FOLDERS)


def private_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


class MediaStorage(FileSystemStorage):
    """The default storage: MEDIA_ROOT, except for names under ``PRIVATE_FOLDERS``."""

    def _private_storage(self) -> FileSystemStorage:
        return FileSystemStorage(
            location=private_root(),
            base_url=None,
            file_permissions_mode=self.file_permissions_mode,
            directory_permissions_mode=self.directory_permissions_mode,
        )

    def path(self, name: str) -> str:
        if not is_private(name):
            return super().path(name)
        path = safe_join(private_root(), name)
        if not os.path.lexists(path):
            legacy = super().path(name)
            if os.path.lexists(legacy):
                return legacy
        return path

    def _save(self, name, content):
        if is_private(name):
            return self._private_storage()._save(name, content)
        return super()._save(name, content)

    def url(self, name):
        if name is not None and is_private(name):
            # Wagtail's document view takes this as "serve the file yourself".
            raise NotImplementedError("Private files have no public URL.")
        return super().url(name)


def private_media_move(*, dry_run: bool = False) -> tuple[list[str], list[str]]:
    """Move private files stored under MEDIA_ROOT (before the split) to the private root.

    Returns the names moved (or that would be) and those left because a file of that name
    already exists in the private root. Emptied folders are removed.
    """
    public = Path(settings.MEDIA_ROOT)
    moved, kept = [], []
    for folder in PRIVATE_FOLDERS:
        top = public / folder
        for path in sorted(p for p in top.rglob("*") if p.is_file() or p.is_symlink()):
            name = path.relative_to(public).as_posix()
            target = private_root() / name
            if target.exists():
                kept.append(name)
                continue
            moved.append(name)
            if not dry_run:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
        if not dry_run and top.is_dir():
            for directory in sorted(top.rglob("*"), reverse=True):
                if directory.is_dir() and not any(directory.iterdir()):
                    directory.rmdir()
            if not any(top.iterdir()):
                top.rmdir()
    return moved, kept
