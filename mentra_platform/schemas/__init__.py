"""Pydantic request/response models. JSON uses the seed's camelCase names."""

from mentra_platform.schemas.common import ApiModel

__all__ = ["ApiModel"]
