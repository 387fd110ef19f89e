import { packageConfig } from '../../scripts/rollup-package.mjs';

export default packageConfig(process.cwd(), { input: { index: 'src/index.ts', cli: 'src/cli.ts' } });
