"""The layout's dependency rules, read from the source: the public site knows nothing of the
scheduler, each outlet kind stands alone, and models import no adapter."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHANNELS = REPO / "media_schedule" / "channels"
# Shared by every kind: the interface, the registry, common limits and picture handling.
SHARED = {"base", "registry", "limits", "pictures", "printing", "fonts", "__init__"}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to dotted names."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def python_files(folder: Path):
    return [path for path in folder.rglob("*.py") if "migrations" not in path.parts]


def kind_packages() -> list[Path]:
    return [path for path in CHANNELS.iterdir() if path.is_dir() and path.name not in SHARED]


def test_there_are_kinds_to_check():
    assert {"website", "wechat", "led"} <= {path.name for path in kind_packages()}


def test_publicity_imports_nothing_from_media_schedule():
    offending = {
        str(path.relative_to(REPO)): sorted(
            m for m in imported_modules(path) if m.startswith("media_schedule")
        )
        for path in python_files(REPO / "publicity")
    }
    assert {name: modules for name, modules in offending.items() if modules} == {}


def test_no_outlet_kind_imports_another_kind():
    kinds = {path.name for path in kind_packages()}
    offending = {}
    for package in kind_packages():
        others = {f"media_schedule.channels.{kind}" for kind in kinds - {package.name}}
        for path in python_files(package):
            bad = sorted(
                module
                for module in imported_modules(path)
                if any(module == other or module.startswith(other + ".") for other in others)
            )
            if bad:
                offending[str(path.relative_to(REPO))] = bad
    assert offending == {}


def _adapter_or_dispatcher(module: str) -> bool:
    names = module.split(".")
    return "adapter" in names or module.startswith("media_schedule.dispatch")


def test_models_import_no_adapter():
    model_files = python_files(REPO / "media_schedule" / "models")
    model_files += list(CHANNELS.rglob("models.py"))
    offending = {}
    for path in model_files:
        bad = sorted(m for m in imported_modules(path) if _adapter_or_dispatcher(m))
        if bad:
            offending[str(path.relative_to(REPO))] = bad
    assert offending == {}


def test_the_dispatcher_and_its_tasks_do_not_import_each_other():
    dispatch = REPO / "media_schedule" / "dispatch"
    for path in python_files(dispatch):
        assert not any(m.startswith("media_schedule.tasks") for m in imported_modules(path)), path


def test_loading_every_outlet_kind_leaves_pillow_refusing_truncated_pictures():
    from PIL import ImageFile

    from media_schedule.channels.registry import load_channels

    load_channels()

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_weasyprint_is_imported_only_through_printing():
    offending = [
        str(path.relative_to(REPO))
        for path in python_files(REPO / "media_schedule")
        if path != CHANNELS / "printing.py"
        and any(m == "weasyprint" or m.startswith("weasyprint.") for m in imported_modules(path))
    ]
    assert offending == []
