"""Writes of the enrichment swarm: leads, signals and the profile, runs and their agents, the sweeper."""
