// The entry of dist/app.js: reads the <meta> config and mounts into #app. The only module with side effects.
import { readConfigFromDocument } from './config.js';
import { mountConsole } from './mount.js';

const root = document.getElementById('app');
if (root === null) throw new Error('parley-console: index.html needs <div id="app"></div>');
mountConsole(root, readConfigFromDocument(document));
