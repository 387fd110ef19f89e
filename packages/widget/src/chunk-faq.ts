// Entry of dist/faq.js (script-tag build): hands the query-only FAQ engine to the loader through an event on this <script>.
import { decide, loadCompiled } from '@parley/faq/runtime';
import type { FaqModule } from './modules.js';

document.currentScript?.dispatchEvent(new CustomEvent<FaqModule>('parley:chunk', { detail: { decide, loadCompiled } }));
