"""``mentra-desktop``: arguments, the no-display line, the embedded demo opened signed in
and stopped with the window, and ``--screenshot`` end to end in a child process."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from mentra_desktop.main import NO_DISPLAY, main, parse_args
from mentra_desktop.views.launch import Launcher


def test_no_display_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err == NO_DISPLAY + "\n" and "--screenshot" in err


@pytest.mark.parametrize(
    "argv",
    [["--screenshot", "shot.jpg"], ["--size", "wide"], ["--view", "calendar"]],
)
def test_bad_arguments_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2


def test_screenshot_ignores_platform_url() -> None:
    args = parse_args(["--platform", "http://x", "--screenshot", "a.png", "--view", "matrix"])
    assert args.platform is None and args.view == "matrix" and args.size == "1280x800"


def _platform_children(data_dir: Path) -> list[int]:
    """Processes whose environment points at ``data_dir`` (the embedded platform)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"MENTRA_DATA_DIR={data_dir}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def test_embedded_demo_opens_signed_in_and_stops_with_the_window(
    qtbot: Any, qapp: Any, _fresh_desktop_home: Path
) -> None:
    args = argparse.Namespace(platform=None, screenshot=None, view="grid", size="1280x800")
    launcher = Launcher(args, qapp)
    try:
        launcher.start_embedded()
        qtbot.waitUntil(lambda: launcher.desktop is not None, timeout=60_000)
        desktop = launcher.desktop
        assert desktop is not None and desktop.embedded is not None
        qtbot.addWidget(desktop.window)
        assert desktop.window.isVisible()
        assert "Cora Coordinator" in desktop.window.windowTitle()
        qtbot.waitUntil(lambda: desktop.window.grid_model.rowCount() == 60, timeout=20_000)
        data_dir = desktop.embedded.data_dir
        assert _platform_children(data_dir)
        desktop.window.close()
        assert not desktop.embedded.running
        assert _platform_children(data_dir) == []
    finally:
        launcher.shutdown()


def test_screenshot_end_to_end(tmp_path: Path) -> None:
    target = tmp_path / "grid.png"
    env = {
        **os.environ,
        "MENTRA_DESKTOP_HOME": str(tmp_path / "home"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        [sys.executable, "-m", "mentra_desktop", "--screenshot", str(target), "--size", "1024x700"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1024, 700)
    assert _platform_children(tmp_path / "home" / "data" / "platform") == []
