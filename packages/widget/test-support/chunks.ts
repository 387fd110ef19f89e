// The on-demand chunks in DOM tests: the real loaders (createChunkLoader) over dynamic imports of src/forms.ts and
// src/attach.ts, or over a `load` the test controls (to fail it); providers for both; a wait until one arrived.
import { h, type ComponentChildren } from 'preact';
import { act } from 'preact/test-utils';
import { createChunkLoader } from '../src/chunk-loader.js';
import { AttachContext, FormsContext, type ChunkLoader } from '../src/hooks/use-chunk.js';
import type { AttachModule, FormsModule, LoadModule } from '../src/modules.js';
import { flush } from './fake-client.js';

export interface TestChunks {
  forms: ChunkLoader<FormsModule>;
  attach: ChunkLoader<AttachModule>;
  /** Where their styles are adopted. */
  root: ShadowRoot;
}

export function testChunks(
  options: { forms?: () => Promise<FormsModule>; attach?: () => Promise<AttachModule>; emit?: (event: string, payload: unknown) => void } = {},
): TestChunks {
  const root = document.createElement('div').attachShadow({ mode: 'open' });
  const modules = { forms: options.forms ?? (() => import('../src/forms.js')), attach: options.attach ?? (() => import('../src/attach.js')) };
  const load = ((name: 'forms' | 'attach') => modules[name]()) as unknown as LoadModule;
  const ctx = { root, load, emit: (options.emit ?? (() => {})) as never };
  return { forms: createChunkLoader(ctx, 'forms'), attach: createChunkLoader(ctx, 'attach'), root };
}

/** What mount() provides around the panel: both chunk contexts. */
export function ChunkProviders({ chunks, children }: { chunks: TestChunks; children: ComponentChildren }) {
  return h(FormsContext.Provider, { value: chunks.forms }, h(AttachContext.Provider, { value: chunks.attach }, children));
}

/** Resolves once the chunk has loaded and the components waiting for it have re-rendered. */
export async function untilChunk(loader: ChunkLoader<unknown>): Promise<void> {
  await act(async () => {
    await loader.load();
    await flush();
  });
}
