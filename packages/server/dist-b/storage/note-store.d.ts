import type { Author, Note } from '@parley/protocol';
export interface NewNote {
    conversationId: string;
    clientId: string;
    /** Always an agent. */
    author: Author;
    text: string;
}
export interface NoteStore {
    /**
     * Stores a note once per (conversationId, clientId); a retry returns the first with `duplicate: true`.
     * Unknown conversations reject with `CONVERSATION_NOT_FOUND`. Notes may be added to closed conversations.
     */
    addNote(input: NewNote): Promise<{
        note: Note;
        duplicate: boolean;
    }>;
    /** A conversation's notes, oldest first, at most `limit`. */
    listNotes(conversationId: string, limit: number): Promise<Note[]>;
}
