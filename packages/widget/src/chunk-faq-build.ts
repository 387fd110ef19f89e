// Entry of dist/faq-build.js (script-tag build): the FAQ index builder, loaded only when the FAQ is not compiled.
import { buildIndex, loadIndex } from '@parley/faq';
import type { FaqBuildModule } from './modules.js';

document.currentScript?.dispatchEvent(new CustomEvent<FaqBuildModule>('parley:chunk', { detail: { buildIndex, loadIndex } }));
