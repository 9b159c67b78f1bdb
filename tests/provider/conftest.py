"""Fixtures for the provider against the emulator (see tests/support/provider_fixtures.py)."""

from provider_fixtures import clock, emu, make_provider, provider

__all__ = ["clock", "emu", "make_provider", "provider"]
