"""What a member can be told about, how, and what they get unless they choose.

Each final outcome of a request is exactly one event type (a failure whose
reason is the portal refusing the login is ``credentials_rejected``, not
also ``failed``), so a member gets one message per outcome on each channel
they keep on. By default the notification centre, e-mail and push are on;
browser notifications are off (they need the browser's permission, which
is asked only after the member clicks for it). Push is on because it only
reaches devices the member subscribed: subscribing is the opting in.
"""

from django.db import models


class EventType(models.TextChoices):
    BOOKED = "booked", "A court is booked"
    FAILED = "failed", "A booking failed"
    CREDENTIALS_REJECTED = "credentials_rejected", "The club's portal refused my login"
    # A pre-flight check met a portal page unlike its profile: told to the club's operators.
    PREFLIGHT_PROBLEM = "preflight_problem", "A problem found before a release"
    # Another member's request naming me as a partner ended (booked or not).
    PARTNER_OUTCOME = "partner_outcome", "A request I am a partner on ends"


class Channel(models.TextChoices):
    IN_APP = "in_app", "On this site"
    BROWSER = "browser", "In the browser"
    EMAIL = "email", "E-mail"
    PUSH = "push", "Push to devices"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


# Browser notifications are shown by an open page; push reaches a subscribed
# device even when no page is open.
DEFAULTS: dict[tuple[str, str], bool] = {
    (event, channel): channel != Channel.BROWSER for event in EventType for channel in Channel
}
# Being named a partner is someone else's choice: their outcomes reach me
# only where I opt in.
DEFAULTS.update({(EventType.PARTNER_OUTCOME, channel): False for channel in Channel})

# Before this app, a member chose e-mail per club with two flags of their
# UserConfig (configs.dynamo.NotificationSettings): each event's e-mail is
# seeded from the flag that covered it, off if it was off at any club.
LEGACY_EMAIL_FLAG = {
    EventType.BOOKED: "email_on_success",
    EventType.FAILED: "email_on_failure",
    EventType.CREDENTIALS_REJECTED: "email_on_failure",
    EventType.PREFLIGHT_PROBLEM: "email_on_failure",
}

PAIRS = tuple((event.value, channel.value) for event in EventType for channel in Channel)
