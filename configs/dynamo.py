"""UserConfigs and SystemConfig tables.

A member's portal credentials and preferences live in UserConfigs, keyed by
the site user's UUID. SystemConfig holds the club's settings (courts, release
rules, portal profile, limits, feature flags) as typed JSON values, one item
per key, validated by ``configs.system_keys`` before they are written.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from tennisbook.dynamo import DynamoModel

from .crypto import EncryptedAttribute, EncryptedModelMixin


class NotificationSettings(MapAttribute):
    """How a member wants to hear about their bookings."""

    email_on_success = BooleanAttribute(default=True, attr_name="emailOnSuccess")
    email_on_failure = BooleanAttribute(default=True, attr_name="emailOnFailure")
    live_updates = BooleanAttribute(default=True, attr_name="liveUpdates")


class UserConfig(EncryptedModelMixin, DynamoModel):
    """A member's portal account and booking preferences.

    ``user_id`` is the site user's UUID (``accounts.User.id``). The portal
    password is encrypted on save and decrypted on first access, bound to
    this member and field (see ``configs.crypto``); ``has_portal_password``
    answers without decrypting. ``version`` gives optimistic locking: two
    edits from two tabs cannot silently overwrite each other.
    """

    table = "UserConfigs"

    class Meta:
        pass

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")
    portal_username = UnicodeAttribute(null=True, attr_name="portalUsername")
    portal_password = EncryptedAttribute(
        purpose="portal-credentials", null=True, attr_name="portalPassword"
    )
    preferred_court = NumberAttribute(null=True, attr_name="preferredCourt")
    preferred_slots = ListAttribute(of=UnicodeAttribute, default=list, attr_name="preferredSlots")
    notifications = NotificationSettings(default=NotificationSettings, attr_name="notifications")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    version = VersionAttribute(attr_name="version")

    @property
    def has_portal_password(self) -> bool:
        return UserConfig.portal_password.is_set(self)


class SystemConfigItem(DynamoModel):
    """One club setting: ``config_key`` → typed JSON ``config_value``."""

    table = "SystemConfig"

    class Meta:
        pass

    config_key = UnicodeAttribute(hash_key=True, attr_name="configKey")
    config_value = JSONAttribute(attr_name="configValue")
    description = UnicodeAttribute(default="", attr_name="description")
    last_modified = UTCDateTimeAttribute(attr_name="lastModified")
    modified_by = UnicodeAttribute(default="system", attr_name="modifiedBy")
    version = VersionAttribute(attr_name="version")
