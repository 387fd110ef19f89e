export type Labels = Readonly<Record<string, string>>;
interface Series<V> {
    labels: Labels;
    value: V;
}
declare abstract class Metric<V> {
    readonly name: string;
    readonly help: string;
    readonly type: 'counter' | 'gauge' | 'histogram';
    protected readonly series: Map<string, Series<V>>;
    constructor(name: string, help: string, type: 'counter' | 'gauge' | 'histogram');
    protected entry(labels: Labels, initial: () => V): Series<V>;
    protected abstract lines(): string[];
    render(): string;
}
export declare class Counter extends Metric<number> {
    constructor(name: string, help: string);
    inc(labels?: Labels, by?: number): void;
    get(labels?: Labels): number;
    protected lines(): string[];
}
export declare class Gauge extends Metric<number> {
    constructor(name: string, help: string);
    set(labels: Labels, value: number): void;
    /** Replaces every series at once (a scrape-time snapshot, so vanished label sets vanish too). */
    replace(values: ReadonlyArray<{
        labels: Labels;
        value: number;
    }>): void;
    protected lines(): string[];
}
interface HistogramValue {
    counts: number[];
    sum: number;
    count: number;
}
export declare class Histogram extends Metric<HistogramValue> {
    readonly buckets: readonly number[];
    constructor(name: string, help: string, buckets: readonly number[]);
    observe(labels: Labels, value: number): void;
    protected lines(): string[];
}
/** Metrics in registration order, plus collectors run before each render (for values read at scrape time). */
export declare class Registry {
    private readonly metrics;
    private readonly collectors;
    register<M extends Counter | Gauge | Histogram>(metric: M): M;
    onCollect(collect: () => Promise<void> | void): void;
    render(): Promise<string>;
}
/** The content type Prometheus expects for the text format. */
export declare const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export {};
