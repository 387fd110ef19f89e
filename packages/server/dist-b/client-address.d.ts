import type { IncomingMessage } from 'node:http';
/**
 * How many proxies stand in front of this server (each appends the address it saw to X-Forwarded-For), or the
 * addresses / CIDR ranges of the proxies to trust.
 */
export type TrustProxy = number | readonly string[];
export declare const MAX_PROXY_HOPS = 10;
/** Validates a trustProxy setting; throws CONFIG_INVALID. */
export declare function validateTrustProxy(trust: TrustProxy): void;
/** Parses `--trust-proxy` / `PARLEY_TRUST_PROXY`: a hop count (`1`) or a comma-separated list of addresses / ranges. */
export declare function parseTrustProxy(text: string): TrustProxy;
/**
 * A function from request to client address. Without trustProxy (or with 0 / an empty list): the socket's peer. With
 * a hop count n: the entry n places from the right of X-Forwarded-For followed by the peer (the rightmost n
 * addresses are the proxies', which a client cannot forge). With addresses: walking from the peer leftwards, the
 * first address that is not a trusted proxy. An unparsable entry ends the walk at the last address before it.
 */
export declare function createAddressResolver(trust: TrustProxy | undefined): (req: IncomingMessage) => string;
/** Resolves a request's client address once, where it enters the server; clientAddress(req) reads it later. */
export declare function rememberClientAddress(req: IncomingMessage, resolve: (req: IncomingMessage) => string): string;
/** The client address per-IP limits are keyed by: the remembered one, else the socket's peer. */
export declare function clientAddress(req: IncomingMessage): string;
