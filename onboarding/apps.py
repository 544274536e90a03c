from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self):
        from gtmos.crm.signals import (
            account_csm_changed,
            opportunity_stage_changed,
            opportunity_updated,
            order_closed_won,
        )

        from .services import ownership, postclose, preclose

        order_closed_won.connect(postclose.on_order_closed_won, dispatch_uid="onboarding-post-close")
        account_csm_changed.connect(ownership.on_account_csm_changed, dispatch_uid="onboarding-plan-csm")

        def evaluate(sender, opportunity, **kwargs):
            preclose.preclose_evaluate(opportunity=opportunity)

        opportunity_stage_changed.connect(evaluate, weak=False, dispatch_uid="onboarding-pre-close-stage")
        opportunity_updated.connect(evaluate, weak=False, dispatch_uid="onboarding-pre-close-update")

        # Prospect sessions (seed 002): enrichment reports, onboarding moves the session.
        from django.db.models.signals import pre_delete

        from enrichment import hooks
        from enrichment.models import Lead

        from .services import session

        hooks.run_settled.connect(session.on_run_settled, dispatch_uid="onboarding-session-run-settled")
        pre_delete.connect(session.on_lead_deleted, sender=Lead, dispatch_uid="onboarding-invite-scrub")

        # White-glove (seed 002 W5): late research — the async agents, a changed profile, a call recorded on the
        # account — rebuilds a battle pack still at W5 when it changes a cell (the AE's review is voided).
        from django.db.models.signals import post_save, pre_save

        from gtmos.crm.models import ConvIntelligenceCall

        from .whiteglove import battlepack

        def agents_arrived(sender, lead, agent, **kwargs):
            battlepack.research_arrived(lead_id=lead.pk, because=agent)

        def profile_changed(sender, lead, fields, **kwargs):
            # One receiver, one read of the lead's session: the reroute of a routed session, then — only for a
            # session in the white-glove steps — the deal's research rebuild. Most leads whose profile moves
            # after the settle are at S3 or self-serve: no deal to look for.
            routed = session.on_profile_changed(sender, lead=lead, fields=fields, **kwargs)
            if routed is not None and routed.state in battlepack.OPEN_DEAL_STATES:
                battlepack.research_arrived(lead_id=lead.pk, because="profile: " + ", ".join(sorted(fields))[:80])

        # What of a call is research for a battle pack: an ingest upsert that rewrites the same call (a score, a
        # sentiment) is not, and must not queue a rebuild of every deal on the account.
        call_research_fields = ("account_id", "summary", "next_steps", "objections", "competitor_mentions")

        def call_before(sender, instance, **kwargs):
            if instance.pk is None:
                return
            instance._research_before = (
                ConvIntelligenceCall.objects.filter(pk=instance.pk).values_list(*call_research_fields).first()
            )

        def call_recorded(sender, instance, created, **kwargs):
            if not instance.account_id:
                return
            before = getattr(instance, "_research_before", None)
            if not created and before == tuple(getattr(instance, f) for f in call_research_fields):
                return
            battlepack.research_arrived(account_id=instance.account_id, because="call")

        hooks.research_arrived.connect(agents_arrived, weak=False, dispatch_uid="whiteglove-research-agents")

        def network_withdrawn(sender, lead, source, **kwargs):
            battlepack.dossier_network_forget(lead_id=lead.pk, source=source)

        hooks.network_withdrawn.connect(network_withdrawn, weak=False, dispatch_uid="whiteglove-network-withdrawn")
        hooks.profile_changed.connect(profile_changed, weak=False, dispatch_uid="onboarding-session-reroute")
        pre_save.connect(call_before, sender=ConvIntelligenceCall, weak=False, dispatch_uid="whiteglove-call-before")
        post_save.connect(
            call_recorded, sender=ConvIntelligenceCall, weak=False, dispatch_uid="whiteglove-research-call"
        )
