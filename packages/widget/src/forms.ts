// The forms a first open does not show (pre-chat, leave a message, rating) and their styles: one on-demand chunk
// (dist/forms.js for the script tag, a dynamic import for npm). Re-exports only.
export { LeaveMessageForm } from './components/LeaveMessageForm.js';
export { PreChatForm } from './components/PreChatForm.js';
export { RatingForm } from './components/RatingForm.js';
export { CSS } from './styles/forms-css.js';
