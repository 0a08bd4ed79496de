"""The application shell: settings under MENTRA_DESKTOP_HOME, resources, and a guard
against PySide6 releases that drop references to None/True/False (6.12.0 aborted the
interpreter on CPython 3.11 within seconds; pyproject excludes it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from mentra_desktop.views.app import icon, qsettings, stylesheet


def test_settings_live_under_the_desktop_home(_fresh_desktop_home: Path, qapp: Any) -> None:
    store = qsettings()
    store.setValue("probe", 1)
    store.sync()
    assert Path(store.fileName()).is_relative_to(_fresh_desktop_home)


def test_stylesheet_and_icons_are_files_not_compiled_resources(qapp: Any) -> None:
    sheet = stylesheet()
    assert "QLineEdit#councilSearch" in sheet and "QPushButton#chip" in sheet
    assert sheet.index("QMainWindow") < sheet.index("QPushButton#chip")  # 00-base first
    assert not icon("mentra").isNull()
    assert icon("no-such-icon").isNull()


def test_many_binding_calls_do_not_exhaust_none(tmp_path: Path) -> None:
    code = (
        "from mentra_desktop.views.app import get_qapp\n"
        "from PySide6.QtWidgets import QLabel\n"
        "app = get_qapp(['probe'])\n"
        "label = QLabel()\n"
        "for _ in range(50_000):\n"
        "    label.setText('x')\n"
        "    label.setVisible(False)\n"
        "print('ok')\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MENTRA_DESKTOP_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-500:]
