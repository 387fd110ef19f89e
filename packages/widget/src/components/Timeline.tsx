// The conversation log: an aria-live="polite" region so new messages are announced; keeps the newest in view.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useStore, useT } from '../hooks/use-store.js';
import { AnswerCard } from './AnswerCard.js';
import { MessageBubble } from './MessageBubble.js';
import { MessageText } from './MessageText.js';
import { QuickReplies } from './QuickReplies.js';

export function Timeline() {
  const { t } = useT();
  const items = useStore((s) => s.conversation.items);
  const agentTyping = useStore((s) => s.conversation.agentTyping);
  const status = useStore((s) => s.conversation.status);
  const view = useStore((s) => s.ui.view);
  const ref = useRef<HTMLDivElement>(null);
  // A log that scrolls must be reachable by keyboard (WCAG 2.1.1): a tab stop then, and only then, so a short chat
  // keeps its tab order. It starts to scroll when content grows or when a form below it takes the room.
  const [canScroll, setCanScroll] = useState(false);
  const checkScroll = (): void => {
    const el = ref.current;
    if (el) setCanScroll(el.scrollHeight > el.clientHeight);
  };
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
    checkScroll();
  }, [items, agentTyping]);
  useLayoutEffect(() => {
    if (typeof ResizeObserver === 'undefined' || !ref.current) return;
    const observer = new ResizeObserver(checkScroll);
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, []);
  let latestAnswer = -1;
  items.forEach((i, n) => {
    if (i.kind === 'answer') latestAnswer = n;
  });
  // Only the latest item's offer stands (an agent's quick replies, or a FAQ answer's): anything said after it, the
  // choice itself included, retires the buttons. And only while the one who offered it is still who answers: the
  // hand-off adds no item, so a FAQ answer's stay latest through the queue and the chat (a click would go to the
  // agent as if the bot had asked), or behind the pre-chat form; an agent's go when the chat is no longer theirs.
  const latest = items[items.length - 1];
  const quick =
    latest?.kind === 'message' && status === 'assigned'
      ? latest.quickReplies
      : latest?.kind === 'answer' && status === 'bot' && view === 'chat'
        ? latest.replies
        : undefined;
  return (
    <div class="pc-scroll" ref={ref} tabIndex={canScroll ? 0 : undefined}>
      <div class="pc-log" role="log" aria-live="polite" aria-label={t('panel.log')}>
        {items.map((item, n) => {
          switch (item.kind) {
            case 'greeting':
              return (
                <div key={item.id} class="pc-msg pc-theirs">
                  <div class="pc-bubble">
                    <MessageText text={item.text} />
                  </div>
                </div>
              );
            case 'question':
              return (
                <div key={item.id} class="pc-msg pc-mine">
                  <div class="pc-bubble">
                    <span class="pc-sr">{t('author.you')}</span>
                    <MessageText text={item.text} />
                  </div>
                </div>
              );
            case 'answer':
              return <AnswerCard key={item.id} item={item} isLatest={n === latestAnswer} />;
            case 'message':
              return <MessageBubble key={item.id} item={item} />;
            case 'event':
              return (
                <p key={item.id} class="pc-event">
                  {item.key ? t(item.key, item.vars) : item.text}
                </p>
              );
          }
        })}
      </div>
      {quick ? <QuickReplies key={latest!.id} options={quick} /> : null}
      {agentTyping !== undefined ? (
        <p class="pc-typing">{t('agent.typing', { name: agentTyping || t('agent.default') })}</p>
      ) : null}
    </div>
  );
}
