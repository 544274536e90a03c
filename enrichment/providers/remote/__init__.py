"""Real-source providers beside the offline ones, each against a public API format. Select one per agent with
``SWARM_PROVIDERS`` (e.g. ``classifier=enrichment.providers.remote.llm.LlmClassifierProvider``) — no code
change; each falls back to its agent's offline provider when its quota is spent or it is not configured."""
