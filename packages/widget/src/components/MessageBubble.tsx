// One chat message: author, text, time, and for the shopper's own messages the delivery state with retry.
import { useActions, useT } from '../hooks/use-store.js';
import type { TimelineItem } from '../store/types.js';
import { safeImageSrc } from '../linkify.js';
import { focusInput } from './Composer.js';
import { MessageText } from './MessageText.js';
import { Attachments } from './Attachments.js';

type MessageItem = Extract<TimelineItem, { kind: 'message' }>;

export function MessageBubble({ item }: { item: MessageItem }) {
  const { t, time } = useT();
  const { retry } = useActions();
  const isMine = item.role === 'visitor';
  const avatar = safeImageSrc(item.avatarUrl);
  const author = isMine ? t('author.you') : item.role === 'bot' ? t('author.bot') : (item.name ?? t('agent.default'));
  return (
    <div class={`pc-msg ${isMine ? 'pc-mine' : 'pc-theirs'}`} data-state={item.state}>
      {!isMine && avatar ? <img class="pc-avatar" src={avatar} alt="" width={24} height={24} /> : null}
      <div class="pc-bubble">
        <span class={isMine ? 'pc-sr' : 'pc-author'}>{author}</span>
        {item.text ? <MessageText text={item.text} /> : null}
        {item.attachments?.length ? <Attachments items={item.attachments} /> : null}
        <span class="pc-meta">
          <time dateTime={new Date(item.at).toISOString()}>{time(item.at)}</time>
          {item.state ? <span class="pc-state"> · {t(`message.${item.state}`)}</span> : null}
          {item.state === 'failed' ? (
            <button
              type="button"
              class="pc-link"
              onClick={(e) => {
                // This button disappears with the retry: keep focus in the panel, on the message box.
                focusInput(e.currentTarget);
                void retry(item.id);
              }}
            >
              {t('message.retry')}
            </button>
          ) : null}
        </span>
      </div>
    </div>
  );
}
