"""What ``mentra-desktop`` does once Qt is loaded: sign in, open the window, or screenshot.

* no ``--platform``: start the embedded platform (a child process with the demo data) off
  the GUI thread behind a progress dialog, sign in as the demo coordinator, open the
  window; closing the window stops the platform.
* ``--platform URL``: reuse the stored token if the platform still accepts it, else the
  login dialog; the token goes to the credential store.
* ``--screenshot FILE.png``: the embedded demo, offscreen, one view rendered at ``--size``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QProgressDialog

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.credentials import CredentialStore
from mentra_desktop.client.embedded import DEMO_COORDINATOR, EmbeddedPlatform
from mentra_desktop.client.errors import AuthExpired
from mentra_desktop.client.paths import get_settings
from mentra_desktop.views.app import get_qapp, qsettings
from mentra_desktop.views.desktop import Desktop, open_desktop
from mentra_desktop.views.login_dialog import LoginDialog
from mentra_desktop.views.screenshot import Screenshot
from mentra_desktop.views.taskman import Op, TaskManager

log = logging.getLogger(__name__)


class Launcher:
    """Holds what one run of the app needs until the event loop ends."""

    def __init__(self, args: argparse.Namespace, app: QApplication) -> None:
        self.args = args
        self.app = app
        self.settings = get_settings()
        self.tasks = TaskManager()
        self.credentials = CredentialStore()
        self.desktop: Desktop | None = None
        self.embedded: EmbeddedPlatform | None = None
        self.exit_code = 0
        self._splash: QProgressDialog | None = None

    # --- embedded -----------------------------------------------------------------

    def start_embedded(self) -> None:
        paths = self.settings
        paths.ensure_dirs()
        self.embedded = EmbeddedPlatform(paths.platform_data_dir, log_path=paths.platform_log_path)
        if not self.args.screenshot:
            splash = QProgressDialog("Starting the local Mentra platform…", "", 0, 0)
            splash.setCancelButton(None)
            splash.setWindowTitle("Mentra")
            splash.setMinimumDuration(0)
            splash.show()
            self._splash = splash
        embedded = self.embedded

        def work() -> tuple[PlatformClient, dict[str, Any]]:
            url = embedded.start()
            client = PlatformClient(url)
            client.login(*DEMO_COORDINATOR)
            return client, client.me()

        Op(self.tasks, work, self._signed_in, "start the embedded platform").failure(
            self._fail
        ).run("net")

    # --- remote -------------------------------------------------------------------

    def connect_remote(self, url: str) -> None:
        client = PlatformClient(url)
        store = qsettings()
        email = str(store.value("account/email", "") or "")
        token = self.credentials.load(email) if email else None
        if token is None:
            self._login(client, email)
            return
        client.token = token

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AuthExpired):
                self._login(client, email, "Your sign-in has expired. Sign in again.")
            else:
                self._fail(exc)

        Op(self.tasks, lambda: (client, client.me()), self._signed_in, "check the sign-in").failure(
            failed
        ).run("net")

    def _login(self, client: PlatformClient, email: str, note: str = "") -> None:
        dialog = LoginDialog(self.tasks, client, email, note)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.token is None:
            self.exit_code = 1
            self.app.quit()
            return
        account = dialog.email.text().strip()
        self.credentials.save(account, dialog.token)
        qsettings().setValue("account/email", account)
        Op(self.tasks, lambda: (client, client.me()), self._signed_in, "read the user").failure(
            self._fail
        ).run("net")

    # --- both ---------------------------------------------------------------------

    def _signed_in(self, result: tuple[PlatformClient, dict[str, Any]]) -> None:
        client, user = result
        if self._splash is not None:
            self._splash.hide()
            self._splash.deleteLater()
            self._splash = None
        desktop = open_desktop(
            client,
            user,
            embedded=self.embedded,
            credentials=self.credentials,
            settings=self.settings,
            tasks=self.tasks,
        )
        self.embedded = None  # the desktop owns it now and stops it on close
        self.desktop = desktop
        notice = self.credentials.take_notice()
        if notice:
            desktop.window.status.showMessage(notice, 15000)
        if self.args.screenshot:
            shot = Screenshot(desktop, self.args.screenshot, self.args.view, self.args.size)
            shot.done.connect(self._screenshot_done)
            shot.start()
            self._shot = shot
            return
        desktop.window.show()
        desktop.controller.start()

    def _screenshot_done(self, ok: bool, message: str) -> None:
        print(message, file=sys.stderr if not ok else sys.stdout)
        self.exit_code = 0 if ok else 1
        self.app.quit()

    def _fail(self, exc: BaseException) -> None:
        log.error("mentra-desktop failed to start", exc_info=exc)
        if self._splash is not None:
            self._splash.hide()
        where = ""
        if self.embedded is not None:
            where = f"\n\nThe platform's log: {self.embedded.log_path}"
        text = f"Mentra could not start: {exc}{where}"
        print(f"mentra-desktop: {exc}", file=sys.stderr)
        self.exit_code = 1
        if self.args.screenshot:
            self.app.quit()
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Mentra", text)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()
        self.app.quit()

    def shutdown(self) -> None:
        if self.desktop is not None:
            self.desktop.close()
        else:
            self.tasks.shutdown()
        if self.embedded is not None:
            self.embedded.stop()


def run(args: argparse.Namespace) -> int:
    """Build the app for ``args`` (see :mod:`mentra_desktop.main`) and run its event loop."""
    app = get_qapp(sys.argv[:1])
    launcher = Launcher(args, app)
    app.aboutToQuit.connect(launcher.shutdown)
    if args.platform:
        QTimer.singleShot(0, lambda: launcher.connect_remote(args.platform))
    else:
        QTimer.singleShot(0, launcher.start_embedded)
    app.setQuitOnLastWindowClosed(True)
    # Ctrl+C and SIGTERM quit through Qt, so the window saves its layout and the embedded
    # platform is stopped; the timer lets Python run its handlers while Qt waits.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    app.exec()
    wake.stop()
    launcher.shutdown()
    return launcher.exit_code
