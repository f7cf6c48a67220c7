"""The floor of bench/ws.py: the raw channels path, with no log and no consumer logic.

Served by daphne exactly as the site is (``python -m tennisbook.web ...
bench.ws_floor_app:application``, the same settings and so the same channel
layer). ``ws/floor/<n>/`` joins group ``floor.<n>``, says ``hello`` and then
forwards each group message's ``text`` as it is: no authentication, no
stream log, no ids checked, no JSON encoding. Any HTTP request answers 200
(the bench waits for that before it connects).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tennisbook.settings.local")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

HELLO = '{"type":"hello"}'


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = f"floor.{self.scope['url_route']['kwargs']['n']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=HELLO)

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def floor_event(self, message: dict) -> None:  # group messages of type "floor.event"
        await self.send(text_data=message["text"])


async def answer_ok(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok\n"})


application = ProtocolTypeRouter(
    {
        "http": answer_ok,
        "websocket": URLRouter([path("ws/floor/<int:n>/", FloorConsumer.as_asgi())]),
    }
)
