// Bundles src/main.ts the way an app's own build would: @parley/widget from its published ESM (dist), with the
// widget's lazy parts (app, FAQ engine, transport) split into chunks that load on first use.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

export default {
  input: 'src/main.ts',
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  plugins: [nodeResolve({ browser: true }), typescript({ tsconfig: './tsconfig.json' })],
};
