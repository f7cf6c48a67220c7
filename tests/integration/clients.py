"""boto3 clients for our emulator server, as the integration tests use them."""

from __future__ import annotations

import boto3


def emulator_clients(url: str):
    """DynamoDB and KMS clients for the emulator at ``url`` (dummy credentials)."""
    options = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    return boto3.client("dynamodb", **options), boto3.client("kms", **options)
