// On-demand chunks (forms.js, attach.js) as components see them: a context per chunk carrying its loader, and a
// hook that re-renders when the chunk arrives or fails. Loading itself (script or import, styles, retries) is
// chunk-loader.ts's job.
import { createContext } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AttachModule, FormsModule } from '../modules.js';

export interface ChunkLoader<T> {
  /** The chunk once it has loaded, so what needs it renders at once from then on. */
  readonly loaded?: T;
  /** Resolves with the chunk; a failed load rejects and the next call tries again. */
  load(): Promise<T>;
  /** Downloads the chunk when the browser is idle, so what the shopper may need next shows without a wait. */
  prefetch(): void;
}

export const FormsContext = createContext<ChunkLoader<FormsModule> | null>(null);
export const AttachContext = createContext<ChunkLoader<AttachModule> | null>(null);

/** The chunk (undefined while loading), whether the last load failed, and a retry. */
export function useChunk<T>(loader: ChunkLoader<T> | null): { chunk?: T; hasFailed: boolean; retry(): void } {
  if (!loader) throw new Error('WIDGET_NOT_MOUNTED: render components inside the chunk contexts (mount() provides them)');
  const [state, setState] = useState<'loading' | 'failed' | 'ready'>(loader.loaded ? 'ready' : 'loading');
  useEffect(() => {
    if (state !== 'loading') return;
    let isLive = true;
    loader.load().then(
      () => isLive && setState('ready'),
      () => isLive && setState('failed'),
    );
    return () => void (isLive = false);
  }, [loader, state]);
  return { chunk: loader.loaded, hasFailed: state === 'failed', retry: () => setState('loading') };
}
