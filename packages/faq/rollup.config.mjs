import { packageConfig } from '../../scripts/rollup-package.mjs';

export default packageConfig(process.cwd(), { input: { index: 'src/index.ts', runtime: 'src/runtime.ts', 'runtime-core': 'src/runtime-core.ts', 'locale-words': 'src/other-locale-words.ts', cli: 'src/cli.ts' } });
