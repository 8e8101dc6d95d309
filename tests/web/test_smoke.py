from flask.testing import FlaskClient


def test_worker_pages_answer(client: FlaskClient) -> None:
    for url in ("/", "/complaint", "/follow-up", "/api/v1/openapi.json"):
        assert client.get(url).status_code == 200, url
