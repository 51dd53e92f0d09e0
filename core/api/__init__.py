"""The REST API (/api/v1/): a thin layer over the apps' services, for phone apps and
mini-programs. Views here validate input with serializers and call the same service functions
as the web pages and the admin (one path for each act). Nothing here changes state by hand.

Modules: ``auth`` (expiring, revocable bearer tokens), ``errors`` (the one error shape),
``schema`` (OpenAPI: error bodies on every operation), ``throttles``, ``pagination``, and one
module per area (``accounts``, ``notifications``, ...).
"""
