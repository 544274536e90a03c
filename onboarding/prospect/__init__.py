"""The prospect pages (seed 002 flows "Cold · self-serve", "Warm · self-serve", the fallback form) and the
sales / RevOps pages that watch them. Transitions go through ``onboarding.services.session``; this package
adds the pages, the records around them and the providers they call."""
