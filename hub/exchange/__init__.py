"""Canonical data exchange: sync jobs, canonical records with provenance, subscriptions, the transactional
outbox and its delivery worker, the canonical API services, and the hash-chained audit log (docs/exchange.md)."""
