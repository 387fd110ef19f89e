// Loads the forms chunk once (script element or dynamic import, through the app's LoadModule), adopts its styles
// into the shadow root, reports a failure as WIDGET_LOAD_FAILED and lets the next call try again.
import type { AppContext } from './controller.js';
import type { FormsLoader } from './hooks/use-forms.js';
import type { FormsModule } from './modules.js';
import { sheet } from './theme.js';

export function createFormsLoader({ root, load, emit }: Pick<AppContext, 'root' | 'load' | 'emit'>): FormsLoader {
  let pending: Promise<FormsModule> | undefined;
  const loader: { loaded?: FormsModule } & FormsLoader = {
    load: () =>
      (pending ??= load('forms').then(
        (forms) => {
          root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(forms.FORMS_CSS)];
          loader.loaded = forms;
          return forms;
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
      // like any other and the form retries when shown.
      const idle = globalThis.requestIdleCallback ?? ((fn: () => void) => setTimeout(fn, 1));
      idle(() => void loader.load().catch(() => undefined));
    },
  };
  return loader;
}
