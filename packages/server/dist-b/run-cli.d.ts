import type { EventEmitter } from 'node:events';
export interface CliIo {
    stdout: {
        write(text: string): unknown;
    };
    stderr: {
        write(text: string): unknown;
    };
    /** Emits SIGTERM / SIGINT (process in production). */
    signals: EventEmitter;
}
/** Exit code 2: the configuration is invalid (bad flag or env var). */
export declare const EXIT_CONFIG_INVALID = 2;
/**
 * Runs the CLI. Resolves with the exit code: for `serve`, after a signal has shut the server down.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, signals: process });
 */
export declare function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number>;
