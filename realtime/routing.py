"""WebSocket routes. The member's status consumer arrives with the realtime issue."""

websocket_urlpatterns: list = []
