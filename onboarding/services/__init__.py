"""Writes for customer onboarding, one module per concept."""
