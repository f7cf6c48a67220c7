"""Repositories for the UserConfigs and SystemConfig tables."""

from __future__ import annotations

from tennisbook.dynamo import Repository

from .dynamo import SystemConfigItem, UserConfig


class UserConfigRepository(Repository[UserConfig]):
    model = UserConfig


class SystemConfigRepository(Repository[SystemConfigItem]):
    model = SystemConfigItem

    def all(self) -> list[SystemConfigItem]:
        """Every setting; the table holds a few dozen items at most."""
        return list(self.scan())
