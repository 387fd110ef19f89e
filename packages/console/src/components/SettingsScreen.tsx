// The canned-response editor: add, edit and remove `/shortcut` → text pairs (kept in this browser).
import { useState } from 'preact/hooks';
import { SHORTCUT_PATTERN } from '../canned.js';
import { useActions, useStore } from '../hooks/use-store.js';

export function SettingsScreen() {
  const { setCanned } = useActions();
  const canned = useStore((s) => s.canned);
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Canned responses</h1>
      <p class="muted">Type / and the shortcut in a reply, then Space, to insert the text. Saved in this browser only.</p>
      <ul class="canned-list">
        {canned.map((c, i) => (
          <li key={c.shortcut} class="card">
            <h2 class="canned-shortcut">/{c.shortcut}</h2>
            <label for={`canned-text-${i}`}>Text for /{c.shortcut}</label>
            <textarea
              id={`canned-text-${i}`}
              rows={2}
              maxLength={4000}
              value={c.text}
              onChange={(e) => setCanned(canned.map((x, j) => (j === i ? { ...x, text: e.currentTarget.value } : x)))}
            />
            <button type="button" onClick={() => setCanned(canned.filter((_, j) => j !== i))}>
              Remove /{c.shortcut}
            </button>
          </li>
        ))}
      </ul>
      <form
        class="card"
        aria-labelledby="canned-add-title"
        onSubmit={(e) => {
          e.preventDefault();
          const name = shortcut.trim().replace(/^\//, '');
          if (!SHORTCUT_PATTERN.test(name)) return setError('Use letters, digits, - or _ for the shortcut (up to 32).');
          if (text.trim() === '') return setError('Write the text to insert.');
          if (canned.some((c) => c.shortcut.toLowerCase() === name.toLowerCase())) return setError(`/${name} already exists.`);
          setError(undefined);
          setCanned([...canned, { shortcut: name, text: text.trim() }]);
          setShortcut('');
          setText('');
        }}
      >
        <h2 id="canned-add-title">Add a canned response</h2>
        <div class="field">
          <label for="canned-new-shortcut">Shortcut</label>
          <input id="canned-new-shortcut" value={shortcut} maxLength={33} onInput={(e) => setShortcut(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="canned-new-text">Text</label>
          <textarea id="canned-new-text" rows={3} maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary">
          Add
        </button>
      </form>
    </section>
  );
}
