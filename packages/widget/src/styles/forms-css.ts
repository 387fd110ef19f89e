// Styles of the pre-chat, leave-a-message and rating forms: loaded with their chunk (forms.ts), adopted beside
// PANEL_CSS when it arrives. Rules any first-open screen uses stay in panel-css.ts.

export const CSS = `.pc-form{display:flex;flex-direction:column;gap:10px}
.pc-form h3{margin:0;font-size:16px}
.pc-form p{margin:0}
.pc-field{display:flex;flex-direction:column;gap:4px;font-size:14px}
.pc-actions{display:flex;justify-content:flex-end;gap:8px}
.pc-rating{display:flex;flex-wrap:wrap;gap:4px;border:0;margin:0;padding:0}
.pc-rating legend{margin-bottom:6px;font-weight:600}
.pc-star{position:relative;font-size:28px;line-height:1;cursor:pointer;color:var(--pa)}
.pc-star input{position:absolute;opacity:0;width:1px;height:1px}
.pc-star:focus-within{outline:3px solid var(--ptx);border-radius:4px}
.pc-num{font-size:15px;min-width:28px;padding:5px 0;text-align:center;color:var(--ptx);border:1px solid var(--pbd);border-radius:6px}
.pc-num:has(:checked){background:var(--pa);color:var(--pf)}
.pc-done{font-weight:600}`;
