// Styles of message attachments (thumbnails, file chips): loaded with their chunk (attach.ts). The attach button
// itself is on first open and keeps its rules in panel-css.ts.

export const CSS = `.pc-files{list-style:none;margin:6px 0 0;padding:0;display:flex;flex-direction:column;gap:6px}
.pc-thumb{display:block;max-width:200px;max-height:160px;border-radius:8px;object-fit:cover}
.pc-file{display:inline-flex;gap:6px;padding:6px 10px;border:1px solid var(--pbd);border-radius:8px;color:inherit;overflow-wrap:anywhere}
.pc-file-size{color:var(--pmu);white-space:nowrap}`;
