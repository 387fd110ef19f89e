// An app that owns the chat from its own code: createWidget from the npm package, identify the signed-in user,
// send questions from the app's UI, and follow every widget event in a log.

import { createWidget, type WidgetEventName } from '@parley/widget';

/** Settings the server (serve.mjs) puts in <meta> tags, so the same build runs against any Parley server. */
function setting(name: string): string {
  const value = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content;
  if (!value) throw new Error(`missing <meta name="${name}">`);
  return value;
}

const chat = createWidget({
  server: setting('parley-server'),
  siteKey: 'demo',
  faqUrl: setting('parley-faq-url'),
  // Where the widget's locales/ are served (by serve.mjs, from the package's dist).
  assetsUrl: '/parley/',
  preChat: ['name', 'email'],
  theme: { color: '#6d28d9', position: 'right' },
});

const log = document.getElementById('events')!;
function record(event: string, detail: string): void {
  const item = document.createElement('li');
  const name = document.createElement('code');
  name.textContent = event;
  item.append(name, ` ${detail}`);
  log.prepend(item);
}

const EVENTS: WidgetEventName[] = ['open', 'close', 'message', 'unread', 'escalated', 'assigned', 'closed', 'rated', 'error'];
for (const event of EVENTS) {
  chat.on(event, (payload: unknown) => {
    if (event === 'unread') document.getElementById('unread')!.textContent = String((payload as { count: number }).count);
    if (event === 'message') {
      const { message, isMine } = payload as { message: { text: string }; isMine: boolean };
      return record(event, `${isMine ? 'you' : 'them'}: ${message.text}`);
    }
    record(event, payload === undefined ? '' : JSON.stringify(payload));
  });
}

document.getElementById('open')!.addEventListener('click', () => chat.open());
document.getElementById('close')!.addEventListener('click', () => chat.close());

document.getElementById('identify')!.addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.currentTarget as HTMLFormElement;
  const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
  const email = (form.elements.namedItem('email') as HTMLInputElement).value.trim();
  chat.identify({ ...(name ? { name } : {}), ...(email ? { email } : {}) });
  record('identify', `${name} <${email}>`);
});

document.getElementById('ask')!.addEventListener('submit', (e) => {
  e.preventDefault();
  const input = (e.currentTarget as HTMLFormElement).elements.namedItem('question') as HTMLInputElement;
  if (!input.value.trim()) return;
  chat.send(input.value);
  input.value = '';
});
