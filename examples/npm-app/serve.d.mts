// Types for serve.mjs, so the TypeScript browser test can import it.
export function startNpmApp(options: { port?: number; host?: string; parleyUrl: string }): Promise<{ url: string; close(): Promise<void> }>;
