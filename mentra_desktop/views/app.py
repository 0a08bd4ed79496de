"""The QApplication, its settings store, and the shell's resources (QSS and SVG icons).

:func:`get_qapp` is the one place the application object is made (napari
``_qt/qt_event_loop.py``): it sets the organisation and application names that
``QSettings`` and platformdirs share. :func:`qsettings` opens the INI file in the
desktop's config directory, which ``MENTRA_DESKTOP_HOME`` moves (tests, screenshots).
Stylesheets are ordered ``resources/styles/*.qss`` files joined in name order, icons
``resources/icons/*.svg``: plain files, no compiled ``.qrc``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from mentra_desktop.client.paths import APP_NAME, ORGANISATION, get_settings

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
STYLES = RESOURCES / "styles"
ICONS = RESOURCES / "icons"


NONE_REFCOUNT_BUG = ("6.12.0",)
"""PySide6 releases whose methods return ``None``, ``True`` and ``False`` without a new
reference. On CPython before 3.12 (where those are not immortal) every such call from
Python lowers the singleton's reference count by one, and after a few thousand calls (a
few seconds of painting) the interpreter aborts with "Fatal Python error: none_dealloc"
(or ``bool_dealloc``). Reproduced with ``QLabel().setText`` in a loop: 6.12.0 aborts,
6.11.3 does not."""


def guard_none_refcount() -> bool:
    """Work around :data:`NONE_REFCOUNT_BUG`: give ``None``, ``True`` and ``False``
    reference counts no session can exhaust (what CPython 3.12 does by making them
    immortal). Does nothing on CPython ≥ 3.12, on other interpreters, or with an
    unaffected PySide6; returns whether it acted. The proper fix is a PySide6 without the
    bug (``PySide6-Essentials!=6.12.0``).
    """
    import ctypes
    import platform

    import PySide6

    if (
        sys.version_info >= (3, 12)
        or platform.python_implementation() != "CPython"
        or PySide6.__version__ not in NONE_REFCOUNT_BUG
    ):
        return False
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < 2**40:
            count.value += 2**40
    return True


def get_qapp(argv: list[str] | None = None) -> QApplication:
    """The application object, created once with our names, stylesheet and icon."""
    guard_none_refcount()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("Mentra Council Coordinator")
    app.setWindowIcon(icon("mentra"))
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    return app


def qsettings() -> QSettings:
    """Window geometry, column layout, splitter state, last selection (an INI file)."""
    settings = get_settings()
    settings.ensure_dirs()
    return QSettings(str(settings.config_dir / f"{APP_NAME}.ini"), QSettings.Format.IniFormat)


@cache
def stylesheet() -> str:
    """Every ``resources/styles/*.qss`` file, in name order (``00-base.qss`` first)."""
    if not STYLES.is_dir():
        return ""
    return "\n".join(path.read_text("utf-8") for path in sorted(STYLES.glob("*.qss")))


def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` as an icon (an empty icon when missing)."""
    path = ICONS / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
