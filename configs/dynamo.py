"""UserConfigs and SystemConfig tables.

A member's portal credentials and preferences at one club live in
UserConfigs, one item per member and club, keyed ``<member UUID>#<club id>``
(``config_key``). SystemConfig holds each club's settings (club, courts,
release rules, portal profile, limits, feature flags) as typed JSON values,
one item per club and key (``club#<club id>#<key>``), validated by
``configs.system_keys`` before they are written.
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


def user_config_key(user_id: str, club: str) -> str:
    return f"{user_id}#{club}"


class UserConfig(EncryptedModelMixin, DynamoModel):
    """A member's portal account and booking preferences at one club.

    ``user_id`` is the site user's UUID (``accounts.User.id``), ``club_id``
    the club; the table's key (attribute ``userId``, as the single-club
    version named it) joins the two. The portal password is encrypted on
    save and decrypted on first access, bound to this member, club and field
    (see ``configs.crypto``): a ciphertext copied to another member's or
    another club's item fails to decrypt. ``has_portal_password`` answers
    without decrypting. ``version`` gives optimistic locking: two edits from
    two tabs cannot silently overwrite each other.

    An item written before clubs existed has only ``userId`` (the member's
    UUID) and a password bound to the member alone; ``migrate_clubs`` moves
    it to the default club.
    """

    table = "UserConfigs"

    class Meta:
        pass

    config_key = UnicodeAttribute(hash_key=True, attr_name="userId")
    user_id = UnicodeAttribute(null=True, attr_name="memberId")
    club_id = UnicodeAttribute(null=True, attr_name="clubId")
    portal_username = UnicodeAttribute(null=True, attr_name="portalUsername")
    portal_password = EncryptedAttribute(
        purpose="portal-credentials", null=True, attr_name="portalPassword"
    )
    preferred_court = NumberAttribute(null=True, attr_name="preferredCourt")
    preferred_slots = ListAttribute(of=UnicodeAttribute, default=list, attr_name="preferredSlots")
    # Courts and slots the booking form lists first (the member's own order kept).
    favourite_courts = ListAttribute(of=NumberAttribute, default=list, attr_name="favouriteCourts")
    favourite_slots = ListAttribute(of=UnicodeAttribute, default=list, attr_name="favouriteSlots")
    notifications = NotificationSettings(default=NotificationSettings, attr_name="notifications")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    version = VersionAttribute(attr_name="version")

    @classmethod
    def for_member(cls, user_id: str, club: str, **values) -> UserConfig:
        return cls(user_config_key(user_id, club), user_id=user_id, club_id=club, **values)

    @property
    def is_legacy(self) -> bool:
        """Written before clubs: to be moved by ``migrate_clubs``."""
        return self.club_id is None

    def encryption_owner(self) -> tuple[str, str | None]:
        """Whom the secrets are bound to: the member and the club of the item's key.

        The key, not the ``memberId``/``clubId`` attributes: an item copied
        whole under another member's or club's key fails to decrypt too.
        Legacy items: the member alone (None for the club).
        """
        if self.is_legacy:
            return self.config_key, None
        member, _, club = self.config_key.rpartition("#")
        return member, club

    @property
    def has_portal_password(self) -> bool:
        return UserConfig.portal_password.is_set(self)


class SystemConfigItem(DynamoModel):
    """One club setting: ``config_key`` (``club#<club>#<key>``) → typed JSON ``config_value``."""

    table = "SystemConfig"

    class Meta:
        pass

    config_key = UnicodeAttribute(hash_key=True, attr_name="configKey")
    config_value = JSONAttribute(attr_name="configValue")
    description = UnicodeAttribute(default="", attr_name="description")
    last_modified = UTCDateTimeAttribute(attr_name="lastModified")
    modified_by = UnicodeAttribute(default="system", attr_name="modifiedBy")
    version = VersionAttribute(attr_name="version")
