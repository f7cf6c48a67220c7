"""Pagination for list endpoints: ``?page=`` and ``?page_size=`` (bounded)."""

from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of ``settings.REST_FRAMEWORK["PAGE_SIZE"]`` items, up to 100 on request."""

    page_size_query_param = "page_size"
    max_page_size = 100
