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


def get_qapp(argv: list[str] | None = None) -> QApplication:
    """The application object, created once with our names, stylesheet and icon."""
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
