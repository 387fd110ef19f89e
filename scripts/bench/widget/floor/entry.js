// Size floor for the widget's stack, built in the same run as size.mjs measures dist/: Preact + hooks + a zustand
// vanilla store behind a tiny hook, drawing a launcher and a panel with a message list and an input. Nothing a
// real widget could drop; everything it adds (FAQ engine, transport, forms, locales, styles) is above this line.
import { h, render } from 'preact';
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { createStore } from 'zustand/vanilla';

const store = createStore((set) => ({
  isOpen: false,
  items: [],
  toggle: () => set((s) => ({ isOpen: !s.isOpen })),
  add: (text) => set((s) => ({ items: [...s.items, { id: s.items.length, text }] })),
}));

function useStore(select) {
  const [, rerender] = useReducer((n) => n + 1, 0);
  useEffect(() => store.subscribe(rerender), []);
  return select(store.getState());
}

function Panel() {
  const items = useStore((s) => s.items);
  const [text, setText] = useState('');
  const input = useRef(null);
  useEffect(() => input.current?.focus(), []);
  return h('div', { role: 'dialog', 'aria-label': 'Chat', class: 'panel' },
    h('div', { role: 'log', 'aria-live': 'polite' }, items.map((m) => h('p', { key: m.id }, m.text))),
    h('form', { onSubmit: (e) => { e.preventDefault(); if (text.trim()) store.getState().add(text); setText(''); } },
      h('label', { for: 'msg' }, 'Message'),
      h('input', { id: 'msg', ref: input, value: text, onInput: (e) => setText(e.currentTarget.value) }),
      h('button', { type: 'submit' }, 'Send')));
}

function App() {
  const isOpen = useStore((s) => s.isOpen);
  return h('div', null,
    isOpen ? h(Panel, null) : null,
    h('button', { type: 'button', 'aria-expanded': String(isOpen), onClick: () => store.getState().toggle() }, 'Chat'));
}

const host = document.body.appendChild(document.createElement('div'));
render(h(App, null), host.attachShadow({ mode: 'open' }));
