"""``{% unread_notifications as unread %}`` for the header's bell (templates/realtime/_bell.html).

One small query per page (an indexed count of at most ``BELL_CAP`` rows);
``bell_count`` writes it as the bell shows it ("99+" beyond 99).
"""

from django import template

from realtime import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notifications.unread_count(user)


@register.filter
def bell_count(count: int) -> str:
    return "99+" if count > 99 else str(count)
