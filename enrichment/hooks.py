"""What enrichment tells the layers above it (onboarding listens; enrichment imports nothing of theirs).

Both are sent inside the transaction that holds the run's row lock, so a receiver's writes (the S2→S3
transition) commit — or roll back — with the run's own.
"""

from django.dispatch import Signal

# The run left ``running``: status is complete, partial or failed; reason is "" or e.g. "kill_switch";
# decision is the router's decision on the profile it settled with (None when it failed); event is the
# enrichment.* Event written for it.
run_settled = Signal()
# Profile fields changed (``fields``), some of them crossing θ (``crossed``): the router may recompute. Sent by
# agent reports once the run has settled (before that no session is routed; the settle carries the decision).
profile_changed = Signal()
# An async agent (project_finder, network_seeder) succeeded with pursuits or network for the lead (``agent``):
# research that may land after the session moved on (a white-glove battle pack is rebuilt from it).
research_arrived = Signal()
# The prospect withdrew the consent a network source was read under (``source``, e.g. "bid_invite"): the lead's
# NetworkLink rows of that source are gone; copies above (a battle-pack dossier) must go too. Sent inside the
# withdrawal's transaction.
network_withdrawn = Signal()
