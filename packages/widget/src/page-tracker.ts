// Notices SPA route changes without patching history: popstate plus a cheap poll of location.href.

const POLL_MS = 1000;

/** Calls `onChange(url, title)` when the URL changes; returns the stop function. */
export function trackPages(onChange: (url: string, title: string) => void): () => void {
  let last = location.href;
  const check = (): void => {
    if (location.href === last) return;
    last = location.href;
    onChange(last, document.title);
  };
  const timer = setInterval(check, POLL_MS);
  addEventListener('popstate', check);
  addEventListener('hashchange', check);
  return () => {
    clearInterval(timer);
    removeEventListener('popstate', check);
    removeEventListener('hashchange', check);
  };
}
