"""GET /metrics: counts read from the database, and this process's own metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.metrics import DISPATCH_FAILURES
from tests.phone import Phone


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _webhook_count(client: TestClient) -> float:
    samples = _samples(client.get("/metrics").text)
    key = ("nudge_webhook_duration_seconds_count", (("path", "/sms/inbound"), ("status", "2xx")))
    return samples.get(key, 0.0)


def test_metrics_count_what_the_database_holds(
    client: TestClient, phone: Phone, programme: dict[str, int]
) -> None:
    phone.text("JOIN")
    phone.text("HELP")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("nudge_inbound_messages_total", (("intent", "opt_in"),))] == 1
    assert samples[("nudge_inbound_messages_total", (("intent", "help"),))] == 1
    assert samples[("nudge_inbound_messages_total", (("intent", "message"),))] == 4  # seeded
    assert samples[("nudge_prompts_sent_total", ())] == 3
    assert samples[("nudge_twilio_errors_total", (("code", "30003"),))] == 1
    assert samples[("nudge_subscribers", (("status", "pending"),))] == 2
    assert ("nudge_tick_duration_seconds_count", ()) in samples
    assert "+1415" not in response.text


def test_webhook_latency_is_observed_per_request(client: TestClient, phone: Phone) -> None:
    before = _webhook_count(client)
    phone.text("JOIN")
    phone.text("YES")
    assert _webhook_count(client) == before + 2
    client.post("/sms/inbound", data={"From": "+14155550123"})  # unsigned: 403
    samples = _samples(client.get("/metrics").text)
    key = ("nudge_webhook_duration_seconds_count", (("path", "/sms/inbound"), ("status", "4xx")))
    assert samples[key] >= 1


def test_dispatch_failures_are_counted_by_stage(client: TestClient) -> None:
    key = ("nudge_dispatch_failures_total", (("stage", "subscriber"),))
    before = _samples(client.get("/metrics").text).get(key, 0.0)

    DISPATCH_FAILURES.labels("subscriber").inc()

    assert _samples(client.get("/metrics").text)[key] == before + 1
