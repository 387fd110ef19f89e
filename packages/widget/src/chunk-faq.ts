// Entry of dist/faq.js (script-tag build): hands the FAQ engine to the loader through an event on this <script>.
import { buildIndex, decide, loadIndex } from '@parley/faq';
import type { FaqModule } from './modules.js';

document.currentScript?.dispatchEvent(new CustomEvent<FaqModule>('parley:chunk', { detail: { buildIndex, decide, loadIndex } }));
