// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition
// format (version 0.0.4). Hand-written because the server needs a dozen series, not a client library.

export type Labels = Readonly<Record<string, string>>;

interface Series<V> {
  labels: Labels;
  value: V;
}

/** Label values are escaped as the format requires: backslash, double quote and newline. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

const keyOf = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

abstract class Metric<V> {
  protected readonly series = new Map<string, Series<V>>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  protected entry(labels: Labels, initial: () => V): Series<V> {
    const key = keyOf(labels);
    let found = this.series.get(key);
    if (found === undefined) this.series.set(key, (found = { labels: { ...labels }, value: initial() }));
    return found;
  }

  protected abstract lines(): string[];

  render(): string {
    return [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
  }
}

export class Counter extends Metric<number> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) return;
    this.entry(labels, () => 0).value += by;
  }
  /** One series' increment, resolved once: for a counter bumped on every message, where keying the labels shows. */
  incrementer(labels: Labels): (by?: number) => void {
    const series = this.entry(labels, () => 0);
    return (by = 1) => {
      if (by >= 0) series.value += by;
    };
  }
  get(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.value ?? 0;
  }
  protected lines(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
  }
}

export class Gauge extends Metric<number> {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  set(labels: Labels, value: number): void {
    this.entry(labels, () => 0).value = value;
  }
  /** Replaces every series at once (a scrape-time snapshot, so vanished label sets vanish too). */
  replace(values: ReadonlyArray<{ labels: Labels; value: number }>): void {
    this.series.clear();
    for (const { labels, value } of values) this.set(labels, value);
  }
  protected lines(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
  }
}

interface HistogramValue {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramValue> {
  readonly buckets: readonly number[];
  constructor(name: string, help: string, buckets: readonly number[]) {
    super(name, help, 'histogram');
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const v = this.entry(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
    // Cumulative buckets: an observation counts in every bucket whose bound it does not exceed.
    this.buckets.forEach((bound, i) => {
      if (value <= bound) v.counts[i]!++;
    });
    v.sum += value;
    v.count++;
  }
  protected lines(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((bound, i) => out.push(`${this.name}_bucket${formatLabels(s.labels, ['le', formatNumber(bound)])} ${s.value.counts[i]}`));
      out.push(`${this.name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.value.count}`);
      out.push(`${this.name}_sum${formatLabels(s.labels)} ${formatNumber(s.value.sum)}`);
      out.push(`${this.name}_count${formatLabels(s.labels)} ${s.value.count}`);
    }
    return out;
  }
}

/** Metrics in registration order, plus collectors run before each render (for values read at scrape time). */
export class Registry {
  private readonly metrics: Array<{ render(): string }> = [];
  private readonly collectors: Array<() => Promise<void> | void> = [];

  register<M extends Counter | Gauge | Histogram>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }
  onCollect(collect: () => Promise<void> | void): void {
    this.collectors.push(collect);
  }
  async render(): Promise<string> {
    await Promise.all(this.collectors.map((c) => c()));
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}

/** The content type Prometheus expects for the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
