import { readFileSync } from 'node:fs';
import { packageConfig } from '../../scripts/rollup-package.mjs';

// One entry per export, named after its `import` file: then each dist/<name>.js is built from src/<name>.ts and
// sits beside that module's own <name>.d.ts (tests/package-exports.test.ts keeps package.json in that shape).
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entries = Object.values(pkg.exports).map((e) => [e.import.replace(/^\.\/dist\/(.*)\.js$/, '$1'), e.source.slice(2)]);

export default packageConfig(process.cwd(), { input: { ...Object.fromEntries(entries), cli: 'src/cli.ts' } });
