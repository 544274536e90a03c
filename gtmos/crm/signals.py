"""Domain signals other apps subscribe to (crm imports no other domain app).

``order_closed_won`` is the order-execution signal (the AGT-801 role): onboarding's post-close trigger
listens. It is sent inside the writing transaction so a receiver's writes commit or roll back with it.
"""

import django.dispatch

order_closed_won = django.dispatch.Signal()  # kwargs: opportunity, actor
opportunity_stage_changed = django.dispatch.Signal()  # kwargs: opportunity, from_stage, to_stage
opportunity_updated = django.dispatch.Signal()  # kwargs: opportunity (after an upsert changed it)
account_csm_changed = django.dispatch.Signal()  # kwargs: changes ({account_id: (from_csm_id, to_csm_id)}), actor
