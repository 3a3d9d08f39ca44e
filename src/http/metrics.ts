/**
 * Prometheus metrics (prom-client). The rest of the service records through
 * the small {@link Metrics} interface, so the hook route, the FHIR fallback
 * and the feedback route never import prom-client, and a disabled endpoint
 * costs nothing ({@link NOOP_METRICS}).
 *
 * Every label value comes from a closed set — hook names accepted by the
 * request schema, indication ids and statuses from the rules, prefetch keys
 * from the service definition, feedback outcomes from the feedback schema,
 * HTTP route templates (never raw URLs) — so cardinality stays bounded and no
 * patient data can reach a label. README "Operations" lists the series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** What the service records. Implementations must never throw. */
export interface Metrics {
  /** One hook call: its latency in seconds (whole request, including the FHIR fallback). */
  observeHook: (hook: string, seconds: number, statusCode: number) => void
  /** One evaluated indication of a hook call, with its status (e.g. `met`, `not-met`, `unknown`). */
  countEvaluation: (indication: string, status: string) => void
  /** One FHIR-server fallback fetch for a prefetch key; outcome `ok` or a failure code. */
  countFallback: (key: string, outcome: string) => void
  /** One feedback item (CDS Hooks feedback `outcome`: `accepted` or `overridden`). */
  countFeedback: (outcome: string) => void
  /** Any HTTP request, by route template. */
  observeHttp: (method: string, route: string, statusCode: number, seconds: number) => void
  /** One evaluated hook call, by where it ran: on an evaluation thread, or on the event loop (no thread ready, none configured, or finished after the FHIR fallback). */
  countEvaluatedOn: (place: 'thread' | 'event_loop') => void
  /** Report the evaluation threads at each scrape (src/evaluation-pool/pool.ts). */
  trackEvaluationThreads: (read: () => { ready: number, configured: number }) => void
}

const noop = (): void => {}
/** Used when METRICS_ENABLED=false and where no metrics are wired (unit tests). */
export const NOOP_METRICS: Metrics = { observeHook: noop, countEvaluation: noop, countFallback: noop, countFeedback: noop, observeHttp: noop, countEvaluatedOn: noop, trackEvaluationThreads: noop }

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The metric names, exported for the tests and README "Operations". */
export const METRIC_NAMES = {
  hookDuration: 'cds_hook_duration_seconds',
  evaluations: 'cds_evaluations_total',
  fallback: 'cds_fhir_fallback_fetches_total',
  feedback: 'cds_feedback_total',
  httpDuration: 'http_request_duration_seconds',
  rulesInfo: 'cds_rules_info',
  evaluatedOn: 'cds_hook_calls_evaluated_total',
  evaluationThreads: 'cds_evaluation_threads'
} as const

/** prom-client implementation with its own registry (one per app instance, so tests never collide). */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry()
  private readonly hookDuration: Histogram<'hook' | 'status_code'>
  private readonly evaluations: Counter<'indication' | 'status'>
  private readonly fallback: Counter<'key' | 'outcome'>
  private readonly feedback: Counter<'outcome'>
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>
  private readonly evaluatedOn: Counter<'on'>
  private readThreads: () => { ready: number, configured: number } = () => ({ ready: 0, configured: 0 })

  /**
   * @param opts.rulesVersion - exposed as `cds_rules_info{rules_version}` so dashboards show which rules run
   * @param opts.defaultMetrics - also collect prom-client's process metrics (CPU, memory, event-loop lag, GC)
   */
  constructor (opts: { rulesVersion: string, defaultMetrics?: boolean }) {
    const registers = [this.registry]
    this.hookDuration = new Histogram({ name: METRIC_NAMES.hookDuration, help: 'Latency of CDS hook calls (whole request), by hook and HTTP status.', labelNames: ['hook', 'status_code'], buckets: LATENCY_BUCKETS, registers })
    this.evaluations = new Counter({ name: METRIC_NAMES.evaluations, help: 'Indications evaluated, by indication id and status.', labelNames: ['indication', 'status'], registers })
    this.fallback = new Counter({ name: METRIC_NAMES.fallback, help: 'FHIR-server fallback fetches, by prefetch key and outcome (ok, or the failure code).', labelNames: ['key', 'outcome'], registers })
    this.feedback = new Counter({ name: METRIC_NAMES.feedback, help: 'CDS Hooks feedback items received, by outcome.', labelNames: ['outcome'], registers })
    this.httpDuration = new Histogram({ name: METRIC_NAMES.httpDuration, help: 'Latency of every HTTP request, by method, route template and status.', labelNames: ['method', 'route', 'status_code'], buckets: LATENCY_BUCKETS, registers })
    this.evaluatedOn = new Counter({ name: METRIC_NAMES.evaluatedOn, help: 'Evaluated hook calls, by where they ran: thread (an evaluation thread) or event_loop.', labelNames: ['on'], registers })
    const readThreads = (): { ready: number, configured: number } => this.readThreads()
    // Read at each scrape, so the figure is never stale; the callback is the pool's (trackEvaluationThreads).
    void new Gauge({
      name: METRIC_NAMES.evaluationThreads,
      help: 'Evaluation threads configured (EVALUATION_THREADS) and ready.',
      labelNames: ['state'],
      registers,
      collect () {
        const t = readThreads()
        this.set({ state: 'configured' }, t.configured)
        this.set({ state: 'ready' }, t.ready)
      }
    })
    const info = new Gauge({ name: METRIC_NAMES.rulesInfo, help: 'Always 1; the label carries the rules version (package version + content hash).', labelNames: ['rules_version'], registers })
    info.set({ rules_version: opts.rulesVersion }, 1)
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry })
  }

  observeHook (hook: string, seconds: number, statusCode: number): void {
    this.hookDuration.observe({ hook, status_code: String(statusCode) }, seconds)
  }

  countEvaluation (indication: string, status: string): void {
    this.evaluations.inc({ indication, status })
  }

  countFallback (key: string, outcome: string): void {
    this.fallback.inc({ key, outcome })
  }

  countFeedback (outcome: string): void {
    this.feedback.inc({ outcome })
  }

  observeHttp (method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds)
  }

  countEvaluatedOn (place: 'thread' | 'event_loop'): void {
    this.evaluatedOn.inc({ on: place })
  }

  trackEvaluationThreads (read: () => { ready: number, configured: number }): void {
    this.readThreads = read
  }
}
