// Loads an on-demand chunk once (script element or dynamic import, through the app's LoadModule), adopts its
// styles into the shadow root, reports a failure as WIDGET_LOAD_FAILED and lets the next call try again.
import type { AppContext } from './controller.js';
import type { ChunkLoader } from './hooks/use-chunk.js';
import type { ModuleMap } from './modules.js';
import { sheet } from './theme.js';

export function createChunkLoader<K extends 'forms' | 'attach'>(
  { root, load, emit }: Pick<AppContext, 'root' | 'load' | 'emit'>,
  name: K,
): ChunkLoader<ModuleMap[K]> {
  let pending: Promise<ModuleMap[K]> | undefined;
  const loader: { loaded?: ModuleMap[K] } & ChunkLoader<ModuleMap[K]> = {
    load: () =>
      (pending ??= load(name).then(
        (chunk) => {
          root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(chunk.CSS)];
          loader.loaded = chunk;
          return chunk;
        },
        (e: unknown) => {
          pending = undefined;
          emit('error', { code: 'WIDGET_LOAD_FAILED', message: String(e) });
          throw e;
        },
      )),
    prefetch() {
      if (pending) return;
      // Not part of the first open: only once the browser has nothing better to do. A failure here is reported
      // like any other and what needs the chunk retries when shown.
      const idle = globalThis.requestIdleCallback ?? ((fn: () => void) => setTimeout(fn, 1));
      idle(() => void loader.load().catch(() => undefined));
    },
  };
  return loader;
}
