"""Identities of the emulator's default seed (emulator/seed.json), for tests and benchmarks."""

from __future__ import annotations

SOURCE_TENANT = "11111111-1111-4111-8111-111111111111"
DEST_TENANT = "22222222-2222-4222-8222-222222222222"
SOURCE_SUB = "aaaaaaaa-0000-4000-8000-000000000001"
DEST_SUB = "bbbbbbbb-0000-4000-8000-000000000002"


def account_id(sub: str, group: str, name: str) -> str:
    return (
        f"/subscriptions/{sub}/resourceGroups/{group}"
        f"/providers/Microsoft.CognitiveServices/accounts/{name}"
    )


SOURCE_ACCOUNT = account_id(SOURCE_SUB, "rg-models", "contoso-ft-src")
LAB_ACCOUNT = account_id(DEST_SUB, "rg-lab", "fabrikam-ft-lab")
DEST_ACCOUNT = account_id(DEST_SUB, "rg-inference", "fabrikam-aoai-eus")
OTHER_DEST_ACCOUNTS = [
    account_id(DEST_SUB, "rg-inference", name)
    for name in ("fabrikam-aoai-wus", "fabrikam-aoai-swc", "fabrikam-aoai-jpe")
]
FT_MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"
LAB_MODEL = "gpt-4o-mini-2024-07-18.ft-fedcba9876543210fedcba9876543210"
