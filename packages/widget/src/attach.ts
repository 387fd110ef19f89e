// Attachments beyond the attach button (checking picked files, the upload, showing a message's files) and their
// styles: one on-demand chunk (dist/attach.js for the script tag, a dynamic import for npm). Re-exports only.
export { AttachmentList } from './components/AttachmentList.js';
export { checkFiles } from './check-files.js';
export { uploadEndpoint, uploadFile } from './store/upload.js';
export { CSS } from './styles/attach-css.js';
