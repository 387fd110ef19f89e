// The forms chunk in DOM tests: the real loader (createFormsLoader) over a dynamic import of src/forms.ts, or over
// a `load` the test controls (to fail it), and a wait until a shown form has arrived.
import { act } from 'preact/test-utils';
import { createFormsLoader } from '../src/forms-loader.js';
import type { FormsLoader } from '../src/hooks/use-forms.js';
import type { FormsModule, LoadModule } from '../src/modules.js';
import { flush } from './fake-client.js';

export function testFormsLoader(
  load: () => Promise<FormsModule> = () => import('../src/forms.js'),
  emit: (event: string, payload: unknown) => void = () => {},
): { loader: FormsLoader; root: ShadowRoot } {
  const root = document.createElement('div').attachShadow({ mode: 'open' });
  const loader = createFormsLoader({ root, load: load as unknown as LoadModule, emit: emit as never });
  return { loader, root };
}

/** Resolves once the forms chunk has loaded and the components waiting for it have re-rendered. */
export async function untilForms(loader: FormsLoader): Promise<void> {
  await act(async () => {
    await loader.load();
    await flush();
  });
}
