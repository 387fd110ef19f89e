export declare const nowMs: () => number;
export declare function record(name: string, ms: number): void;
