"""StatusChipDelegate: a council's phase drawn as a coloured, rounded chip with its label."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from mentra_desktop.views import palette
from mentra_desktop.views.council_grid_model import StatusRole


class StatusChipDelegate(QStyledItemDelegate):
    """Paints ``StatusRole`` as a chip; selection and focus are drawn by the style first."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        status = index.data(StatusRole)
        if not status:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        swatch = palette.status_swatch(str(status))
        metrics = option.fontMetrics
        text_width = metrics.horizontalAdvance(swatch.label)
        rect = QRectF(option.rect).adjusted(6, 4, -6, -4)
        rect.setWidth(min(rect.width(), text_width + 16))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(swatch.background)
        radius = rect.height() / 2
        painter.drawRoundedRect(rect, radius, radius)
        painter.setPen(swatch.foreground)
        text = metrics.elidedText(swatch.label, Qt.TextElideMode.ElideRight, int(rect.width() - 12))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        label = palette.status_swatch(str(index.data(StatusRole) or "")).label
        return QSize(option.fontMetrics.horizontalAdvance(label) + 28, max(hint.height(), 26))
