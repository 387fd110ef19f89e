// Entry of dist/transport.js (script-tag build): hands the transport to the loader through an event on this <script>.
import { createVisitorClient, localStorageStorage } from '@parley/transport';
import type { TransportModule } from './modules.js';

document.currentScript?.dispatchEvent(new CustomEvent<TransportModule>('parley:chunk', { detail: { createVisitorClient, localStorageStorage } }));
