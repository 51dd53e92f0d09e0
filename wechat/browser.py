"""WeChat's in-app browser: its user agent says ``MicroMessenger``."""


def in_wechat(request) -> bool:
    return "micromessenger" in request.META.get("HTTP_USER_AGENT", "").lower()
