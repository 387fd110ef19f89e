// Admin: the site FAQ editor. Markdown in a textarea, saved to the server (which refuses it with line-numbered
// problems), and "test a question": the widget's engine run here on the unsaved text, showing its decision and
// the top matches with their confidence.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createFaqTester, type FaqTestResult } from '../admin/faq-tester.js';
import { useAdmin, useAdminStore } from '../admin/use-admin.js';
import { AdminNotice } from './AdminNotice.js';
import { describeReason, formatConfidence } from '../format.js';

function lineStart(text: string, line: number): number {
  let at = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', at);
    if (next === -1) return text.length;
    at = next + 1;
  }
  return at;
}

function Problems({ problems, onGoTo }: { problems: Array<{ line: number; message: string }>; onGoTo: (line: number) => void }) {
  return (
    <ul class="faq-problems">
      {problems.map((p, i) => (
        <li key={i}>
          {p.line > 0 ? (
            <button type="button" class="link" onClick={() => onGoTo(p.line)}>
              Line {p.line}
            </button>
          ) : (
            'FAQ'
          )}
          : {p.message}
        </li>
      ))}
    </ul>
  );
}

function TestResult({ result }: { result: FaqTestResult }) {
  if (result.kind === 'invalid') return <p class="error">The FAQ as written has errors ({result.problems.length}); fix them to test questions.</p>;
  return (
    <>
      {result.kind === 'answer' ? (
        <p class="faq-decision">
          <strong>Answer</strong> with “{result.question}” ({formatConfidence(result.confidence)})
        </p>
      ) : (
        <p class="faq-decision">
          <strong>Hand off to a person</strong>: {describeReason(result.reason)}
          {result.confidence === undefined ? '' : ` (best match ${formatConfidence(result.confidence)})`}
        </p>
      )}
      {result.matches.length === 0 ? (
        <p class="muted">No entry matches at all.</p>
      ) : (
        <>
          <h3 id="faq-matches-title">Top matches</h3>
          <ol class="faq-matches" aria-labelledby="faq-matches-title">
            {result.matches.map((m) => (
              <li key={m.id}>
                {m.question} <span class="muted">({m.id})</span>: {Math.round(m.confidence * 100)}%
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}

export function FaqScreen() {
  const admin = useAdminStore().getState();
  const faq = useAdmin((s) => s.faq);
  const sites = useAdmin((s) => s.sites);
  const editor = useRef<HTMLTextAreaElement>(null);
  const tester = useMemo(() => createFaqTester(), []);
  const [question, setQuestion] = useState('');
  const [result, setResult] = useState<FaqTestResult | undefined>();
  // Actions are stable; `admin` itself is a new object after every change, so effects depend on the actions.
  const { loadSites, loadFaq } = admin;
  useEffect(() => void loadSites(), [loadSites]);
  useEffect(() => {
    // Open on the oldest site (the built-in `demo` in a fresh install) once the sites are known.
    if (faq.siteKey === undefined && sites.list.length > 0) void loadFaq(sites.list[0]!.key);
  }, [loadFaq, sites.list, faq.siteKey]);
  const isDirty = faq.draft !== faq.saved;

  const goTo = (line: number) => {
    const el = editor.current;
    if (el === null) return;
    const at = lineStart(el.value, line);
    el.focus();
    el.setSelectionRange(at, Math.max(at, el.value.indexOf('\n', at) === -1 ? el.value.length : el.value.indexOf('\n', at)));
  };

  return (
    <section aria-labelledby="faq-title">
      <h1 id="faq-title">FAQ</h1>
      <AdminNotice />
      {sites.list.length > 1 && (
        <div class="field">
          <label for="faq-site">Site</label>
          <select id="faq-site" value={faq.siteKey} onChange={(e) => void admin.loadFaq(e.currentTarget.value)}>
            {sites.list.map((s) => (
              <option key={s.id} value={s.key}>
                {s.key}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="faq-layout">
        <form
          class="card admin-form"
          aria-labelledby="faq-edit-title"
          onSubmit={(e) => {
            e.preventDefault();
            void admin.saveFaq();
          }}
        >
          <h2 id="faq-edit-title">Edit the FAQ{faq.siteKey === undefined ? '' : ` of ${faq.siteKey}`}</h2>
          <p class="hint" id="faq-help">
            One “## Question?” heading per entry, the answer below it; optional lines id:, also: with “- ” items, tags:, link:. The widget loads it from{' '}
            <span class="url">{faq.publicUrl ?? '/faq/<site>.json'}</span>.
          </p>
          <label for="faq-source">FAQ (Markdown)</label>
          <textarea
            id="faq-source"
            ref={editor}
            class="faq-source"
            rows={20}
            spellcheck={false}
            aria-describedby="faq-help"
            aria-invalid={faq.problems.length > 0 ? 'true' : undefined}
            value={faq.draft}
            disabled={faq.isLoading}
            onInput={(e) => admin.setFaqDraft(e.currentTarget.value)}
          />
          {faq.problems.length > 0 && (
            <div role="alert" class="error-box">
              <p class="error">Not saved: the FAQ has {faq.problems.length === 1 ? '1 error' : `${faq.problems.length} errors`}.</p>
              <Problems problems={faq.problems} onGoTo={goTo} />
            </div>
          )}
          {faq.error !== undefined && (
            <p class="error" role="alert">
              {faq.error}
            </p>
          )}
          <p class="muted">
            {faq.isLoading ? 'Loading…' : isDirty ? 'Unsaved changes.' : faq.updatedAt === null ? 'Not saved yet.' : `Saved ${new Date(faq.updatedAt).toLocaleString()}.`}
          </p>
          <button type="submit" class="primary" disabled={faq.isSaving || faq.isLoading}>
            {faq.isSaving ? 'Saving…' : 'Save FAQ'}
          </button>
        </form>
        <form
          class="card admin-form"
          aria-labelledby="faq-test-title"
          onSubmit={(e) => {
            e.preventDefault();
            if (question.trim() !== '') setResult(tester.test(faq.draft, question));
          }}
        >
          <h2 id="faq-test-title">Test a question</h2>
          <p class="hint" id="faq-test-help">
            Runs the widget’s engine on the text above, saved or not.
          </p>
          <div class="field">
            <label for="faq-question">Question</label>
            <input id="faq-question" value={question} maxLength={500} aria-describedby="faq-test-help" onInput={(e) => setQuestion(e.currentTarget.value)} />
          </div>
          <button type="submit">Test</button>
          <div class="faq-result" role="status" aria-live="polite">
            {result !== undefined && <TestResult result={result} />}
          </div>
        </form>
      </div>
    </section>
  );
}
