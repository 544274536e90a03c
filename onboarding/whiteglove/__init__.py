"""The white-glove track (seed 002 "White-glove" flow and Phase 4): W5 battle pack → W6 outreach → W7
discovery → W8 demo → W9 seat → W10 closed won, and the deal's way into the CRM and onboarding (seed 000).

- ``meddpicc``: pure — seed the scorecard from research, score deal health.
- ``battlepack``: W5 — assignment (territory, round robin), the CRM account + opportunity, the battle pack.
- ``steps``: the W-step services (each fires the session transition and moves the opportunity's stage).
- ``crm``: the opportunity's stage ladder, deal health and the MAP the selling team writes.
- ``selectors`` / ``views`` / ``urls``: the AE and SDR pages.
"""
