import type { IncomingMessage } from 'node:http';
import type { ErrorCode, Role } from '@parley/protocol';
import { type BucketRate } from './rate-limit.js';
import type { Storage } from './storage/storage.js';
import { clientAddress } from './client-address.js';
/** Why an upgrade is refused: the HTTP status and a one-line body naming the code. */
export interface HandshakeRefusal {
    status: number;
    code: ErrorCode;
    text: string;
    headers?: Record<string, string>;
}
export interface HandshakeGateOptions {
    storage: Storage;
    /** Server-wide allow-list for visitor sockets, checked before the sites' own lists; `'*'` defers to the sites. */
    allowedOrigins: '*' | readonly string[];
    /**
     * Origins of consoles served elsewhere than this server. The console this server serves (same host) is always
     * allowed on `/ws/agent`; any other browser origin is refused there.
     */
    consoleOrigins: readonly string[];
    handshakes: BucketRate;
    /** Client addresses the per-IP handshake limit skips (load generators); see `rateExemptAddresses`. */
    exemptAddresses?: readonly string[];
    /** Most sockets open at once from one address (IPv6: one /64). Default `DEFAULT_MAX_CONNECTIONS_PER_ADDRESS`. */
    maxConnectionsPerAddress?: number;
    /** How long the union of the sites' origins is cached; site changes take effect within it. Default 5 s. */
    siteCacheMs?: number;
}
export interface HandshakeGate {
    /** Undefined when the upgrade may proceed. Spends one of the client IP's handshakes. */
    check(req: IncomingMessage, role: Role, nowMs: number): Promise<HandshakeRefusal | undefined>;
    /** Forgets refilled per-IP buckets. */
    sweep(nowMs: number): void;
    /** Counts a socket accepted from `address` until `closed(address)`. */
    opened(address: string): void;
    closed(address: string): void;
}
/** Enough for a large office or a carrier NAT full of shoppers; far below what exhausts a node's file descriptors. */
export declare const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 500;
export { clientAddress };
/**
 * The bucket key for an address: IPv4 as is (also when IPv4-mapped, `::ffff:1.2.3.4`), IPv6 by its /64, because one
 * subscriber usually gets a whole /64 and could otherwise take a fresh address, and a fresh bucket, per request.
 */
export declare function rateKeyFor(address: string): string;
/**
 * Builds the gate.
 * @example
 * const gate = createHandshakeGate({ storage, allowedOrigins: '*', consoleOrigins: [], handshakes: DEFAULT_RATES.handshakes });
 * const refusal = await gate.check(req, 'visitor', Date.now());
 */
export declare function createHandshakeGate(options: HandshakeGateOptions): HandshakeGate;
