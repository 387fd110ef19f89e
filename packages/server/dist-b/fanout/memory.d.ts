import type { Fanout } from './fanout.js';
/**
 * A Fanout for one process. A listener that throws is reported through `onListenerError` and does not stop
 * delivery to the others.
 */
export declare function createMemoryFanout(options?: {
    onListenerError?: (err: unknown, topic: string) => void;
}): Fanout;
