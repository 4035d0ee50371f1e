"""Prometheus metrics of the exchange, in a dedicated registry (``REGISTRY``), served at ``/metrics``.

Counters are per process (``simpul serve`` = API + workers in one process). The lag per subscription is read from
the outbox at scrape time, so it is right whichever process delivers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

records_pulled = Counter("simpul_records_pulled", "Records read from source applications",
                         ["app", "resource"], registry=REGISTRY)
records_valid = Counter("simpul_records_valid", "Pulled records that were valid canonical records",
                        ["app", "resource"], registry=REGISTRY)
records_invalid = Counter("simpul_records_invalid", "Pulled records quarantined (unmappable or invalid)",
                          ["app", "resource"], registry=REGISTRY)
records_stored = Counter("simpul_records_versions", "New record versions stored", ["schema"], registry=REGISTRY)
deliveries = Counter("simpul_deliveries", "Webhook delivery attempts by outcome (delivered, retrying, dead)",
                     ["status"], registry=REGISTRY)
delivery_failures = Counter("simpul_delivery_failures", "Failed webhook delivery attempts", ["reason"],
                            registry=REGISTRY)
delivery_seconds = Histogram("simpul_delivery_seconds", "Duration of one webhook delivery attempt",
                             registry=REGISTRY, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
sync_runs = Counter("simpul_sync_runs", "Sync runs by outcome", ["app", "resource", "status"], registry=REGISTRY)
api_requests = Counter("simpul_data_api_requests", "Canonical API requests by status", ["status"],
                       registry=REGISTRY)


class _LagCollector(Collector):
    """``simpul_subscription_lag_records{subscription}``: deliveries not yet delivered (pending or retrying);
    ``simpul_outbox_dead{subscription}``: dead letters waiting for a replay."""

    def collect(self) -> Iterator[Any]:
        lag = GaugeMetricFamily("simpul_subscription_lag_records",
                                "Record versions waiting to be delivered to a subscription", labels=["subscription"])
        dead = GaugeMetricFamily("simpul_outbox_dead", "Dead deliveries per subscription", labels=["subscription"])
        try:
            from hub.exchange.delivery import outbox_counts

            for sub_id, counts in outbox_counts().items():
                lag.add_metric([sub_id], counts.get("pending", 0) + counts.get("retrying", 0))
                dead.add_metric([sub_id], counts.get("dead", 0))
        except Exception:  # noqa: S110 - a scrape never fails because the database is away
            pass
        yield lag
        yield dead


REGISTRY.register(_LagCollector())


def render() -> bytes:
    return generate_latest(REGISTRY)
