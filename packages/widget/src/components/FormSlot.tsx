// A form view's body: the form from the forms chunk once it has loaded, ChunkPending meanwhile (the rest of the
// panel keeps working).
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { PreChatField } from '../embed-api.js';
import { FormsContext, useChunk } from '../hooks/use-chunk.js';
import { ChunkPending } from './ChunkPending.js';

export interface FormSlotProps {
  view: 'prechat' | 'offline' | 'rating';
  preChat: PreChatField[];
  /** Called when a form that was not there at first render has arrived, so the panel can move focus into it. */
  onArrived(): void;
}

export function FormSlot({ view, preChat, onArrived }: FormSlotProps) {
  const { chunk: forms, hasFailed, retry } = useChunk(useContext(FormsContext));
  const isReady = !!forms;
  const wasMissing = useRef(!isReady);
  useEffect(() => {
    if (isReady && wasMissing.current) onArrived();
  }, [isReady]);
  if (forms) {
    const { PreChatForm, LeaveMessageForm, RatingForm } = forms;
    return view === 'prechat' ? <PreChatForm fields={preChat} /> : view === 'offline' ? <LeaveMessageForm /> : <RatingForm />;
  }
  return <ChunkPending hasFailed={hasFailed} retry={retry} />;
}
