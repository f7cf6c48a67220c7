"""Shared REST API infrastructure: errors, permissions, pagination, limits, schema.

Every app's API builds on these modules so that all endpoints speak the same
error format (``{"error": {"code", "message", "fields"}}``), refuse and limit
requests the same way, and document it all in the OpenAPI schema.
"""
