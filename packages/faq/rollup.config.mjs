import { packageConfig } from '../../scripts/rollup-package.mjs';

export default packageConfig(process.cwd(), { input: { index: 'src/index.ts', runtime: 'src/runtime.ts', cli: 'src/cli.ts' } });
