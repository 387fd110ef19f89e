import { type Attachment } from '@parley/protocol';
import { type UploadStore } from './disk-store.js';
export declare function resolveAttachments(store: UploadStore | undefined, senderId: string, given: readonly Attachment[]): Promise<Attachment[]>;
