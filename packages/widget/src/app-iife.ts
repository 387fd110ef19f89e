// Entry of dist/app.js (script-tag build): hands startApp to the loader through an event on this <script>.
import formsDeps from 'parley:forms-deps';
import type { StartApp } from './controller.js';
import type { LoadModule } from './modules.js';
import { startApp } from './mount.js';

// dist/forms.js and dist/attach.js announce a factory rather than the module: it is given this bundle's Preact
// and store.
const start: StartApp = (ctx) =>
  startApp({
    ...ctx,
    load: ((name) =>
      name === 'forms' || name === 'attach'
        ? ctx.load(name).then((make) => (make as unknown as (deps: typeof formsDeps) => unknown)(formsDeps))
        : ctx.load(name)) as LoadModule,
  });
document.currentScript?.dispatchEvent(new CustomEvent<StartApp>('parley:chunk', { detail: start }));
