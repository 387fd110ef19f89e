// A form view's body: the form from the forms chunk once it has loaded, ChunkPending meanwhile (the rest of the
// panel keeps working).
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { PreChatField } from '../embed-api.js';
import { FormsContext, useChunk } from '../hooks/use-chunk.js';
import { useActions, useT } from '../hooks/use-store.js';
import { ChunkPending } from './ChunkPending.js';

export interface FormSlotProps {
  view: 'prechat' | 'offline' | 'rating';
  preChat: PreChatField[];
  /** Called when a form that was not there at first render has arrived, so the panel can move focus into it. */
  onArrived(): void;
}

export function FormSlot({ view, preChat, onArrived }: FormSlotProps) {
  const { chunk: forms, hasFailed, retry } = useChunk(useContext(FormsContext));
  const { t } = useT();
  const { restart } = useActions();
  const isReady = !!forms;
  const wasMissing = useRef(!isReady);
  useEffect(() => {
    if (isReady && wasMissing.current) onArrived();
  }, [isReady]);
  if (forms) {
    const { PreChatForm, LeaveMessageForm, RatingForm } = forms;
    return view === 'prechat' ? <PreChatForm fields={preChat} /> : view === 'offline' ? <LeaveMessageForm /> : <RatingForm />;
  }
  const pending = <ChunkPending hasFailed={hasFailed} retry={retry} />;
  // "Start a new chat" lives in the rating form: without forms.js a closed chat would be a dead end.
  if (view !== 'rating' || !hasFailed) return pending;
  return (
    <>
      {pending}
      <button type="button" class="pc-primary" onClick={restart}>
        {t('closed.new')}
      </button>
    </>
  );
}
