import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics, one registry per app instance (tests build several apps). */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  eventsIngested: Counter<'type'>;
  eventsDuplicate: Counter<'type'>;
  casesByStatus: Gauge<'status'>;
  slaSignals: Counter<'metric' | 'signal'>;
}

export function createMetrics(casesByStatus: () => Promise<Record<string, number>>): Metrics {
  const registry = new Registry();
  const httpRequests = new Counter({
    name: 'amends_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'amends_http_request_duration_seconds',
    help: 'HTTP request latency, from the request arriving to the response being sent.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const eventsIngested = new Counter({
    name: 'amends_events_ingested_total',
    help: 'Events accepted into the ledger (committed), by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const eventsDuplicate = new Counter({
    name: 'amends_events_duplicate_total',
    help: 'Events received again with an id already in the ledger, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const casesGauge = new Gauge({
    name: 'amends_cases',
    help: 'Cases by status, all stores, read from the database at scrape time.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await casesByStatus();
      this.reset();
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
  const slaSignals = new Counter({
    name: 'amends_sla_signals_total',
    help: 'SLA near-breaches (80 % of the target used) and breaches, by metric (first_response, resolution).',
    labelNames: ['metric', 'signal'] as const,
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration, eventsIngested, eventsDuplicate, casesByStatus: casesGauge, slaSignals };
}
