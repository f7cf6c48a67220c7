"""The API's own pages: its root (``/api/``), Swagger UI and ReDoc.

Swagger UI's and ReDoc's JavaScript and CSS come from
drf-spectacular-sidecar (``"SIDECAR"`` in ``SPECTACULAR_SETTINGS``) through
the site's static files, never a CDN: the pages work with no internet.
drf-spectacular's ReDoc page also links Google Fonts; ``RedocView`` serves
the same page without them (``templates/`` beside this module).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from django.template.backends.django import DjangoTemplates
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView


def endpoints(patterns: list, prefix: str = "") -> Iterator[str]:
    """The routes of ``patterns`` (relative, in order) that take no parameter."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from endpoints(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and isinstance(pattern.pattern, RoutePattern)  # not the catch-all
            and not pattern.pattern.converters
        ):
            yield route


class APIRootView(APIView):
    """Every endpoint of the API that takes no parameter, linked.

    Object endpoints (``bookings/{request_id}``...) are in the schema and in
    the documentation pages, linked here too.
    """

    permission_classes = [AllowAny]
    patterns: list = []  # tennisbook.urls passes its API routes

    def get_view_name(self) -> str:
        return "tennisbook API"

    @extend_schema(exclude=True)
    def get(self, request):
        base = request.path
        return Response(
            {
                route: request.build_absolute_uri(base + route)
                for route in endpoints(self.patterns)
                if route
            }
        )


@functools.cache
def _templates() -> DjangoTemplates:
    # tennisbook is not an installed app: its templates are found here.
    return DjangoTemplates(
        {
            "NAME": "tennisbook.api",
            "DIRS": [Path(__file__).with_name("templates")],
            "APP_DIRS": True,
            "OPTIONS": {},
        }
    )


class _OwnTemplateRenderer(TemplateHTMLRenderer):
    def resolve_template(self, template_names):
        return _templates().get_template(template_names[0])


class RedocView(SpectacularRedocView):
    renderer_classes = [_OwnTemplateRenderer]
    template_name = "tennisbook_api/redoc.html"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # ReDoc's sidebar shows Redocly's logo from their CDN, unconditionally:
        # the browser is told not to fetch images from anywhere but here.
        response["Content-Security-Policy"] = "img-src 'self' data:"
        return response
