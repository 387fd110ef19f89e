// Entry of dist/faq.js (script-tag build): hands the query-only FAQ engine (English words built in; other
// languages come as faq-words-<lang>.js) to the loader through an event on this <script>.
import { addLocaleWords, decide, faqLocales, loadCompiled } from '@parley/faq/runtime-core';
import type { FaqModule } from './modules.js';

document.currentScript?.dispatchEvent(new CustomEvent<FaqModule>('parley:chunk', { detail: { decide, loadCompiled, faqLocales, addLocaleWords } }));
