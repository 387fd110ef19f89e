// The public surface names every type its config and events are made of: an app typing a `rated` handler must be
// able to import RatingScale from @parley/widget, not reach into @parley/protocol.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const source = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8');

/** The names in `import type { … } from '<from>'` / `export type { … } from '<from>'` statements. */
function names(text: string, keyword: 'import' | 'export', from: string): string[] {
  const re = new RegExp(`${keyword} type \\{([^}]*)\\} from '${from.replace(/[/.@-]/g, '\\$&')}'`, 'g');
  return [...text.matchAll(re)].flatMap((m) => m[1]!.split(',').map((n) => n.trim()).filter(Boolean)).sort();
}

describe('@parley/widget exports', () => {
  it('re-exports every protocol type the embed API uses', () => {
    const used = names(source('./embed-api.ts'), 'import', '@parley/protocol');
    expect(used).toContain('RatingScale');
    expect(names(source('./index.ts'), 'export', '@parley/protocol')).toEqual(used);
  });
});
