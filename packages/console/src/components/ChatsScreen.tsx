// Several chats at once: a sidebar with unread counts and the active chat (messages and internal notes, typing,
// receipts, composer, FAQ suggestions, transfer, close), with the visitor's details beside it.
import { useEffect } from 'preact/hooks';
import { describeReason, formatRating } from '../format.js';
import { useActions, useStore } from '../hooks/use-store.js';
import { CloseForm } from './CloseForm.js';
import { Composer } from './Composer.js';
import { FaqSuggestions } from './FaqSuggestions.js';
import { MessageList } from './MessageList.js';
import { Transcript } from './Transcript.js';
import { TransferForm } from './TransferForm.js';
import { VisitorInfo } from './VisitorInfo.js';

function ChatList() {
  const { openChat } = useActions();
  const order = useStore((s) => s.chatOrder);
  const chats = useStore((s) => s.chats);
  const activeId = useStore((s) => s.activeChatId);
  return (
    <nav class="chat-list" aria-label="Open chats">
      <ul>
        {order.map((id) => {
          const chat = chats[id]!;
          const name = chat.visitor.name ?? 'Anonymous visitor';
          return (
            <li key={id}>
              <button type="button" class={id === activeId ? 'chat-tab active' : 'chat-tab'} aria-current={id === activeId ? 'true' : undefined} onClick={() => openChat(id)}>
                <span class="chat-name">{name}</span>
                {chat.status === 'closed' && <span class="muted"> (closed)</span>}
                {chat.unread > 0 && <span class="unread">{chat.unread} unread</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function ChatView({ id }: { id: string }) {
  const { markActiveRead } = useActions();
  const chat = useStore((s) => s.chats[id]);
  const messageCount = chat?.messages.length ?? 0;
  useEffect(() => {
    markActiveRead();
  }, [id, messageCount]);
  if (chat === undefined) return null;
  const name = chat.visitor.name ?? 'Anonymous visitor';
  return (
    <section class="chat" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat with {name}</h2>
      <div class="chat-layout">
        <div class="chat-main">
          <MessageList messages={chat.messages} visitorReadSeq={chat.visitorReadSeq} label={`Messages with ${name}`} visitorName={chat.visitor.name} notes={chat.notes} />
          <p class="typing" aria-live="polite">
            {chat.isVisitorTyping ? `${name} is typing…` : ''}
          </p>
          {chat.status !== 'closed' && <FaqSuggestions conversationId={id} />}
          {/* Keyed: the note toggle and the half-typed quick reply belong to one chat. */}
          {chat.status !== 'closed' && <Composer key={id} conversationId={id} visitorName={name} />}
          {chat.status === 'assigned' && <TransferForm conversationId={id} />}
          <CloseForm conversationId={id} />
        </div>
        <aside class="chat-side" aria-labelledby="visitor-title">
          <h3 id="visitor-title">Visitor</h3>
          <VisitorInfo visitor={chat.visitor} pages={chat.pages} />
          <h3>Why they asked for a person</h3>
          <p>{describeReason(chat.reason)}</p>
          <h3>Self-service transcript</h3>
          <Transcript items={chat.transcript} />
          {chat.rating !== undefined && (
            <>
              <h3>Rating</h3>
              <p>
                {formatRating(chat.rating.score, chat.rating.scale)}{chat.rating.comment === undefined ? '' : `: “${chat.rating.comment}”`}
              </p>
            </>
          )}
        </aside>
      </div>
    </section>
  );
}

export function ChatsScreen() {
  const count = useStore((s) => s.chatOrder.length);
  const activeId = useStore((s) => s.activeChatId);
  return (
    <section class="chats" aria-labelledby="chats-title">
      <h1 id="chats-title">My chats ({count})</h1>
      {count === 0 ? (
        <p class="muted">No open chats. Accept a visitor from the queue.</p>
      ) : (
        <div class="chats-layout">
          <ChatList />
          {activeId === undefined ? <p class="muted">Pick a chat from the list.</p> : <ChatView id={activeId} />}
        </div>
      )}
    </section>
  );
}
