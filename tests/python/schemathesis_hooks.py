"""Schemathesis hooks for tests/contract_tools.rs (`SCHEMATHESIS_HOOKS`): agencies'
letters are PDF bytes, sent as application/octet-stream would be."""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
