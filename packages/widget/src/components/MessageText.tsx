// Plain message text with safe links. Text nodes only: nothing here can become markup.
import { linkify } from '../linkify.js';

export function MessageText({ text }: { text: string }) {
  return (
    <p class="pc-text">
      {linkify(text).map((s, i) =>
        s.href ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer">
            {s.text}
          </a>
        ) : (
          s.text
        ),
      )}
    </p>
  );
}
