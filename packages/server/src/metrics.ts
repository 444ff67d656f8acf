/** Prometheus metrics, served at /metrics. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  fires: Counter<'trigger'>;
  deliveries: Counter<'outcome'>;
  fireLateness: Histogram<string>;
  runsEnded: Counter<'status'>;
  scheduledJobs: Gauge<string>;
  leader: Gauge<string>;
  runsPruned: Counter<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jobcenter_' });
  return {
    registry,
    fires: new Counter({
      name: 'jobcenter_fires_total',
      help: 'Runs written by trigger',
      labelNames: ['trigger'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'jobcenter_deliveries_total',
      help: 'Trigger attempts by outcome (accepted, finished, attempt_failed, undelivered)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    fireLateness: new Histogram({
      name: 'jobcenter_fire_lateness_seconds',
      help: "Time from a fire's scheduled instant to its first trigger being sent",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    runsEnded: new Counter({
      name: 'jobcenter_runs_ended_total',
      help: 'Runs ended by the monitor',
      labelNames: ['status'],
      registers: [registry],
    }),
    scheduledJobs: new Gauge({
      name: 'jobcenter_scheduled_jobs',
      help: 'Enabled jobs in the scheduler of this node',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'jobcenter_leader',
      help: '1 when this node holds the scheduler lease',
      registers: [registry],
    }),
    runsPruned: new Counter({
      name: 'jobcenter_runs_pruned_total',
      help: 'Finished runs removed by retention (with their attempts and events)',
      registers: [registry],
    }),
  };
}
