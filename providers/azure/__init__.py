"""Talking to Azure: the ARM client and its waiting, credentials and tokens, the provider
configuration, and the redaction of what the provider logs.

``arm``          the one HTTP path to ARM: target pinning, tokens, timeouts, retries, errors
``waiting``      waiting for a long-running write (Azure-AsyncOperation, Location, state)
``calls``        what travels on that path: ``Call``, ``ArmResponse``, ``RetryPolicy``, ``Clock``
``tokens``       ARM tokens per tenant (a thread-safe cache), cross-tenant checks
``credentials``  the azure-identity credential ``aoai-deploy:credential`` names
``config``       the ``aoai-deploy:*`` provider configuration, validated once
``namespace``    which ``aoai-deploy:*`` keys are settings, and which must arrive as secrets
``clouds``       Azure's clouds, and which ARM endpoints are theirs or loopback
``jwt``          a token's claims read unverified, and whether it is signed at all
``logs``         the provider's logger, and the redaction of tokens from what it writes

Each module is imported by its own path (``aoai_deploy.providers.azure.arm``, ...).
"""

from __future__ import annotations

__all__: list[str] = []
