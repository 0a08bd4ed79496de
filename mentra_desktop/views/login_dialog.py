"""LoginDialog: e-mail and password for a platform; signs in off the GUI thread.

The dialog stays open with the platform's words when sign-in fails (wrong password,
too many attempts, no answer), and hands back the token on success. It is also shown
when a token expires; the outbox keeps every unsent change meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.errors import AuthExpired, PlatformError, RetryableStatus
from mentra_desktop.views.taskman import Op, TaskManager


class LoginDialog(QDialog):
    def __init__(
        self,
        tasks: TaskManager,
        client: PlatformClient,
        email: str = "",
        note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to Mentra")
        self.setObjectName("loginDialog")
        self._tasks = tasks
        self._client = client
        self.token: str | None = None
        self.user: dict[str, object] | None = None
        self.note = QLabel(note or f"Sign in to {client.base_url}")
        self.note.setWordWrap(True)
        self.email = QLineEdit(email)
        self.email.setObjectName("loginEmail")
        self.email.setPlaceholderText("you@example.com")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setObjectName("loginError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Sign in")
        ok.setObjectName("signInButton")
        self.buttons.accepted.connect(self._on_sign_in)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("E-mail", self.email)
        form.addRow("Password", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.password if email else self.email).setFocus(Qt.FocusReason.OtherFocusReason)
        self.setMinimumWidth(380)

    def _on_sign_in(self) -> None:
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self.error.setText("Give your e-mail and password.")
            return
        self.error.setText("Signing in…")
        self.buttons.setEnabled(False)
        client = self._client
        Op(self._tasks, lambda: client.login(email, password), self._on_token, "sign in").failure(
            self._on_failed
        ).run("net")

    def _on_token(self, token: str) -> None:
        self.token = token
        self.user = self._client.user
        self.buttons.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, AuthExpired):
            self.error.setText(f"Sign-in refused: {exc.detail}")
        elif isinstance(exc, RetryableStatus) and exc.status == 429:
            wait = f" Try again in {int(exc.retry_after)} s." if exc.retry_after else ""
            self.error.setText(f"Too many attempts.{wait}")
        elif isinstance(exc, PlatformError):
            self.error.setText(f"The platform did not answer: {exc}")
        else:
            self.error.setText(f"Sign-in failed: {exc}")
        self.password.selectAll()
        self.password.setFocus()
