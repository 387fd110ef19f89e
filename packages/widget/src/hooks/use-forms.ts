// The on-demand forms chunk as components see it: a context carrying its loader and a hook that re-renders when
// the chunk arrives or fails. Loading itself (script or import, styles, retries) is forms-loader.ts's job.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { FormsModule } from '../modules.js';

export interface FormsLoader {
  /** The chunk once it has loaded, so a form shown again renders at once. */
  readonly loaded?: FormsModule;
  /** Resolves with the chunk; a failed load rejects and the next call tries again. */
  load(): Promise<FormsModule>;
  /** Downloads the chunk when the browser is idle, so the form a shopper may need next shows without a wait. */
  prefetch(): void;
}

export const FormsContext = createContext<FormsLoader | null>(null);

/** The forms (undefined while loading), whether the last load failed, and a retry. */
export function useForms(): { forms?: FormsModule; hasFailed: boolean; retry(): void } {
  const loader = useContext(FormsContext);
  if (!loader) throw new Error('WIDGET_NOT_MOUNTED: render components inside FormsContext.Provider (mount() does this)');
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
  return { forms: loader.loaded, hasFailed: state === 'failed', retry: () => setState('loading') };
}
