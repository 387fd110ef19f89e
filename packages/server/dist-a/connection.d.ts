import type { WebSocket } from 'ws';
import { type Role, type ServerFrame } from '@parley/protocol';
import type { ServerServices } from './handlers/context.js';
import { type RateLimits } from './rate-limit.js';
import type { SharedLimits } from './shared-limits.js';
export interface ConnectionOptions {
    ws: WebSocket;
    endpointRole: Role;
    origin: string | undefined;
    services: ServerServices;
    rates: RateLimits;
    helloTimeoutMs: number;
    /** The client's IP (`socket.remoteAddress`), for the per-address limits. */
    remoteAddress: string;
    /** Limits shared with the subject's and the address's other connections. */
    sharedLimits: SharedLimits;
    /** True once the server is draining: new frames are refused with SERVER_SHUTTING_DOWN. */
    isShuttingDown: () => boolean;
    onClose: (connection: Connection) => void;
}
export declare class Connection {
    private readonly options;
    readonly id: string;
    private session;
    private readonly subscriptions;
    private readonly frames;
    private readonly messages;
    private readonly strikes;
    private helloTimer;
    /** Handlers run one at a time per connection, so a client's frames take effect in the order it sent them. */
    private tail;
    private isClosed;
    /** WebSocket pings sent without a pong since; the server heartbeat terminates the peer at 2. */
    missedPongs: number;
    constructor(options: ConnectionOptions);
    get role(): Role;
    /** Resolves when every frame received so far has been handled. */
    idle(): Promise<void>;
    send(frame: ServerFrame): void;
    close(code: number, reason: string): void;
    /** Drops a peer that stopped answering pings; a clean close handshake would wait on it too. */
    terminate(): void;
    ping(): void;
    private teardown;
    private sendError;
    /** Counts one refused frame; too many in a window closes the socket with 4008. */
    private strike;
    private onMessage;
    /** Opening more sockets, or more visitors on one address, must not multiply what one sender may do. */
    private takeSharedLimits;
    private run;
    private fail;
    private context;
    private deliver;
}
