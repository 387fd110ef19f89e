// Minifier options for the script-tag bundles; scripts/bench/widget/size.mjs builds its Preact floor with the
// same ones, so the floor and our bundles differ only in code. ES2020 output: every browser with
// adoptedStyleSheets (the widget needs them) runs it.
export const TERSER_OPTIONS = {
  ecma: 2020,
  toplevel: true,
  compress: { passes: 3, unsafe: true, unsafe_arrows: true, pure_getters: true },
  format: { comments: false },
};
