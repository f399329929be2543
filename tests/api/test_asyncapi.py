"""The WebSocket contract is served as AsyncAPI 3.0, linked from the API docs, and checks
frames (every socket frame in the suite is checked by tests/conftest.py)."""

from cnt import asyncapi


def test_the_document_is_served_and_names_every_socket(client):
    response = client.get("/api/asyncapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {"/ws/notifications/", "/ws/live/{stream_id}/chat/"}
    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        for ref in operation["messages"]:
            message_id = ref["$ref"].rsplit("/", 1)[-1]
            assert message_id in document["channels"][channel]["messages"], (name, message_id)


def test_every_websocket_route_has_a_channel():
    from cnt.ws import websocket_urlpatterns

    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == {"ws/notifications/", "ws/live/<int:stream_id>/chat/"}
    for pattern in websocket_urlpatterns:
        assert (
            pattern.callback.consumer_class.asyncapi_channel
            in asyncapi.asyncapi_document()["channels"]
        )


def test_the_docs_page_links_the_document(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/asyncapi.json" in schema["info"]["description"]


def test_frames_are_checked_against_the_document():
    good = {"type": "live.chat.deleted", "data": {"id": 3, "stream_id": 9}}
    assert asyncapi.frame_problems("liveChat", good) == []
    assert asyncapi.frame_problems("liveChat", {"type": "live.chat.deleted", "data": {"id": 3}})
    assert asyncapi.frame_problems("liveChat", {"type": "community.notification.created"})
    assert asyncapi.frame_problems("notifications", {"type": "pong", "data": {}})
    assert asyncapi.frame_problems("notifications", {"type": "pong"}) == []
