"""Pydantic request/response models. JSON uses the seed's camelCase names."""

from mentra_desktop.models.wire.common import ApiModel

__all__ = ["ApiModel"]
