// What the script tag runs: replays the `Parley(...)` command queue, draws the launcher, loads app.js on first
// interaction. No Preact, no socket, no storage writes, no cookies; a failed app load never breaks the page.
import { createController, type StartApp } from './controller.js';
import type { WidgetApi, WidgetConfig, WidgetEventName } from './embed-api.js';

type Command = [string, ...unknown[]];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- host callbacks arrive untyped through the queue.
type AnyListener = (p: any) => void;
interface ParleyFn {
  (...args: Command): unknown;
  q?: ArrayLike<unknown>[];
  l?: 1;
}

const w = window as unknown as { Parley?: ParleyFn };
const script = document.currentScript as HTMLScriptElement | null;
const base = script?.src ? new URL('.', script.src).href : location.href;
// Propagated so app.js also loads under a nonce-based CSP ('strict-dynamic' would trust it anyway).
const nonce = script?.nonce;

/** Loads `<assets><name>.js` with a script element and waits for it to hand over its exports. */
const loadScript = <T>(assets: string, name: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = new URL(`${name}.js`, assets).href;
    if (nonce) s.nonce = nonce;
    const fail = (): void => {
      s.remove();
      reject(new Error(s.src));
    };
    s.addEventListener('parley:chunk', (e) => resolve((e as CustomEvent<T>).detail));
    // A script that loaded but never announced itself (wrong file, blocked by CSP) counts as a failure too.
    s.onload = () => setTimeout(fail);
    s.onerror = fail;
    document.head.append(s);
  });

if (!w.Parley?.l) {
  const queued = w.Parley?.q ?? [];
  let api: WidgetApi | undefined;
  const early: Array<[WidgetEventName, AnyListener]> = [];

  const run = (...[cmd, a, b]: Command): unknown => {
    try {
      if (cmd === 'boot') {
        if (api) return undefined;
        const config = a as WidgetConfig;
        const assets = new URL(config?.assetsUrl ?? base, location.href).href;
        api = createController(config, () => loadScript<StartApp>(assets, 'app'), (name) => loadScript(assets, name), assets);
        for (const [event, fn] of early) api.on(event, fn);
        return undefined;
      }
      if (cmd === 'on') {
        if (api) return api.on(a as WidgetEventName, b as AnyListener);
        early.push([a as WidgetEventName, b as AnyListener]);
        return undefined;
      }
      if (!api) return undefined;
      if (cmd === 'shutdown' || cmd === 'destroy') {
        api[cmd]();
        api = undefined;
        // A closed list of names (never `on` or anything inherited); the argument-less ones ignore `a`.
      } else if (/^(open|close|toggle|identify|send)$/.test(cmd)) (api[cmd as 'send'] as (arg: unknown) => void)(a);
      else if (process.env.NODE_ENV !== 'production') console.warn(`Parley: unknown command ${JSON.stringify(cmd)}`);
    } catch (e) {
      // The host page's inline snippet must never see an exception from us: integrator mistakes go to the console.
      console.error(e);
    }
    return undefined;
  };
  const parley = run as ParleyFn;
  parley.l = 1;
  w.Parley = parley;
  // apply takes the array-like `arguments` objects the snippet queued as they are.
  for (const args of queued) run.apply(undefined, args as Command);
}
