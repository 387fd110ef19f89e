// The open panel as mount() renders it, for DOM tests: store, chunk loaders and the English translator around
// <Panel />, in a fresh container appended to the body. One place, so a new provider reaches every panel test.
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { I18nContext, StoreContext } from '../src/hooks/use-store.js';
import en from '../src/i18n/locales/en.json';
import { createTranslator } from '../src/i18n/t.js';
import type { WidgetStore } from '../src/store/widget-store.js';
import { Panel } from '../src/components/Panel.js';
import { ChunkProviders, type TestChunks } from './chunks.js';

/** Renders the panel into a new container and returns it; `unmountPanel` undoes it. */
export function renderPanel(store: WidgetStore, chunks: TestChunks): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  act(() => {
    const panel = h(I18nContext.Provider, { value: createTranslator('en', en) }, h(Panel, { title: undefined }));
    render(
      h(StoreContext.Provider, { value: store }, h(ChunkProviders, { chunks, children: panel })),
      container,
    );
  });
  return container;
}

export function unmountPanel(container: HTMLElement): void {
  render(null, container);
  container.remove();
}
