from urllib.parse import parse_qs, urlsplit

from django.test import Client

from tests.applicants.helpers import sms_code

from .conftest import WECHAT_UA


def wechat_browser() -> Client:
    return Client(HTTP_USER_AGENT=WECHAT_UA)


def follow_to_wechat(client: Client, *, next_url: str = "/permits/applications/") -> str:
    """Open /wechat/sign-in/ and return the callback URL WeChat (the stand-in) sends back to."""
    import requests

    response = client.get("/wechat/sign-in/", {"next": next_url})
    assert response.status_code == 302, response
    authorize = response["Location"]
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def bind_with_phone(client: Client, phone: str):
    """The first-time phone proof after the callback: ask for the code, type it."""
    response = client.post("/wechat/bind/", {"phone": phone})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.post("/wechat/bind/code/", {"code": sms_code(phone)})
