// Entry of dist/app.js (script-tag build): hands startApp to the loader through an event on this <script>.
import type { StartApp } from './controller.js';
import { startApp } from './mount.js';

const start: StartApp = (ctx) => startApp(ctx);
document.currentScript?.dispatchEvent(new CustomEvent<StartApp>('parley:chunk', { detail: start }));
