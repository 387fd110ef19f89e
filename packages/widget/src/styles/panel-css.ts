// Panel styles, shipped in the app chunk and adopted into the same shadow root as the launcher.
// `:host` declarations are !important so the page's rules on the host element lose (see launcher-css.ts).
// Mobile (≤ 480px): full screen, sized by the visual viewport (--pvh, set by mount.ts) so the keyboard never hides the input.

export const PANEL_CSS = `:host{--pbg:#fff!important;--ptx:#111827!important;--pmu:#4b5563!important;--pbd:#d1d5db!important;--psf:#f3f4f6!important;color:var(--ptx)!important;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif!important}
.pl{position:relative}
:host([data-mode=dark]){--pbg:#111827!important;--ptx:#f9fafb!important;--pmu:#d1d5db!important;--pbd:#4b5563!important;--psf:#1f2937!important}
@media (prefers-color-scheme:dark){:host([data-mode=auto]){--pbg:#111827!important;--ptx:#f9fafb!important;--pmu:#d1d5db!important;--pbd:#4b5563!important;--psf:#1f2937!important}}
*{box-sizing:border-box}
.pb{position:absolute;top:-4px;right:-4px;min-width:20px;padding:0 5px;border-radius:10px;background:#b91c1c;color:#fff;font:700 12px/20px sans-serif;text-align:center}
.pb:empty{display:none}
@media (prefers-reduced-motion:no-preference){.pl{transition:transform .15s}.pl:hover{transform:scale(1.06)}}
.pc-panel{position:fixed;bottom:88px;right:20px;width:min(380px,calc(100vw - 40px));height:min(620px,calc(100vh - 120px));display:flex;flex-direction:column;background:var(--pbg);color:var(--ptx);border:1px solid var(--pbd);border-radius:16px;box-shadow:0 12px 40px #0004;overflow:hidden;font:inherit}
:host([data-pos=left]) .pc-panel{right:auto;left:20px}
.pc-panel:focus{outline:none}
@media (prefers-reduced-motion:no-preference){.pc-panel{animation:pc-in .18s ease-out}@keyframes pc-in{from{opacity:0;transform:translateY(8px)}}}
@media (max-width:480px){.pc-panel{inset:0;top:0;left:0;right:0;bottom:auto;width:100vw;height:100vh;height:100dvh;height:var(--pvh,100dvh);border-radius:0;border:0}}
.pc-header{display:flex;align-items:center;gap:10px;padding:12px 12px 12px 16px;background:var(--pa);color:var(--pf)}
.pc-header h2{flex:1;margin:0;font-size:17px;font-weight:600}
.pc-close{all:unset;display:grid;place-items:center;width:44px;height:44px;border-radius:8px;cursor:pointer}
.pc-close svg{stroke:currentColor;stroke-width:2;fill:none}
.pc-close:focus-visible,.pc-panel button:focus-visible,.pc-panel a:focus-visible,.pc-input:focus-visible{outline:3px solid var(--ptx);outline-offset:2px}
.pc-header .pc-close:focus-visible{outline-color:var(--pf)}
.pc-avatar{border-radius:50%;object-fit:cover;flex:none}
.pc-notice{margin:0;padding:8px 16px;background:#fef3c7;color:#78350f;font-size:14px}
.pc-scroll{flex:1;overflow-y:auto;padding:16px;overscroll-behavior:contain}
.pc-log{display:flex;flex-direction:column;gap:10px}
.pc-msg{display:flex;gap:8px;align-items:flex-end;max-width:88%}
.pc-mine{align-self:flex-end;flex-direction:row-reverse}
.pc-bubble{padding:8px 12px;border-radius:14px;background:var(--psf);color:var(--ptx);overflow-wrap:anywhere}
.pc-mine .pc-bubble{background:var(--pa);color:var(--pf)}
.pc-mine .pc-bubble a{color:inherit}
.pc-text{margin:0;white-space:pre-wrap}
.pc-bubble a{color:inherit;text-decoration:underline}
.pc-author{display:block;font-size:13px;font-weight:600;color:var(--pmu)}
.pc-meta{display:block;margin:4px 0 0;font-size:13px;color:var(--pmu)}
.pc-mine .pc-meta{color:inherit}
.pc-msg[data-state=failed] .pc-bubble{outline:2px solid #b91c1c}
.pc-event{align-self:center;margin:4px 0;font-size:13px;color:var(--pmu);text-align:center}
.pc-chip[aria-pressed=true]{background:var(--pa);color:var(--pf);border-color:var(--pa)}
.pc-feedback,.pc-suggestions{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:8px}
.pc-suggestions{margin-left:0;flex-direction:column;align-items:flex-start}
.pc-more{display:inline-block;margin-top:6px}
.pc-chip,.pc-escalate,.pc-link,.pc-primary,.pc-send{font:inherit;font-size:15px;cursor:pointer;border-radius:18px;min-height:36px}
.pc-chip{padding:6px 12px;background:var(--pbg);color:var(--ptx);border:1px solid var(--pbd);text-align:start}
.pc-chip:hover{border-color:var(--pa)}
.pc-link{background:none;border:0;color:inherit;text-decoration:underline;padding:4px}
.pc-primary,.pc-send{padding:8px 16px;border:0;background:var(--pa);color:var(--pf);font-weight:600}
.pc-primary:disabled,.pc-send:disabled{opacity:.6;cursor:not-allowed}
.pc-escalate{width:100%;margin-bottom:8px;padding:8px;background:var(--pbg);color:var(--ptx);border:1px solid var(--pbd)}
.pc-body{border-top:1px solid var(--pbd);padding:12px;max-height:60%;overflow-y:auto}
.pc-row{display:flex;gap:8px;align-items:flex-end}
.pc-input{flex:1;width:100%;font:inherit;font-size:16px;padding:8px 10px;border:1px solid var(--pmu);border-radius:10px;background:var(--pbg);color:var(--ptx);resize:none}
.pc-input[aria-invalid=true]{border-color:#b91c1c}
.pc-queue p,.pc-typing{margin:0 0 8px;font-size:14px;color:var(--pmu)}
.pc-typing{padding:8px 0 0}
.pc-error{margin:0;color:#b91c1c;font-size:14px}
:host([data-mode=dark]) .pc-error{color:#fca5a5}
.pc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.pc-row{flex-wrap:wrap}
.pc-attach{flex:none;width:36px;height:36px;border:1px solid var(--pbd);border-radius:18px;background:var(--pbg);color:var(--ptx);cursor:pointer;display:grid;place-items:center}
.pc-attach svg{fill:currentColor}
.pc-attach-error{flex-basis:100%}`;
