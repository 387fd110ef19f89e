// FaqIndex → CompiledFaq (build side: the CLI and servers write it; the widget loads it with @parley/faq/runtime).
import { FAQ_COMPILED_VERSION, type CompiledFaq } from './compiled-format.js';
import { DEFAULT_FIELDS, type FaqIndex } from './faq-index.js';

/**
 * The compiled form of a built index, for `@parley/faq/runtime`'s `loadCompiled`: the same answers without the
 * parser, validator and builder in the browser.
 * @example writeFileSync('faq.json', JSON.stringify(compileIndex(buildIndex(entries))))
 */
export function compileIndex(index: FaqIndex): CompiledFaq {
  const { locale, tuning, synonyms, selfSim, entries } = index.data;
  return {
    format: 'parley-faq-compiled',
    version: FAQ_COMPILED_VERSION,
    locale,
    tuning,
    fields: { ...DEFAULT_FIELDS, ...index.toJSON().options.fieldWeights },
    synonyms: synonyms.phrases.map((p) => [p.key, ...p.terms]),
    // Six significant digits: full doubles would be a third of the file's compressed size for no answer that
    // changes (confidence moves by ~1e-6; runtime.test.ts checks every fixture decision is the same).
    selfSim: Array.from(selfSim, (x) => Number(x.toPrecision(6))),
    entries: entries.map(({ tags: _tags, ...e }) => e),
  };
}
