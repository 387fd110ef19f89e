// Launcher and host styles, shipped in the loader: the host resets inherited CSS (`all: initial`) and sits fixed.
// Colours are custom properties so the theme sheet (theme.ts) only swaps variables. Panel colours live in panel-css.ts.
// The host element is styled by the page too (`div {…}`, `* {… !important}`): the page's rules beat normal `:host`
// ones but not `!important` ones, hence `!important` on every `:host` declaration, and no pseudo-elements on it.
// (`:before` is the one-colon spelling of `::before`: same rule, fewer of the loader's 2 kB.)

export const LAUNCHER_CSS = `:host{all:initial!important;position:fixed!important;z-index:2147483000!important;inset:auto 20px 20px auto!important;--pa:#1a56db!important;--pf:#fff!important}
:host:before,:host:after{content:none!important}
:host([data-pos=left]){inset:auto auto 20px 20px!important}
.pl{all:unset;width:56px;height:56px;border-radius:50%;background:var(--pa);color:var(--pf);cursor:pointer;display:grid;place-items:center;box-shadow:0 4px 14px #0005}
.pl:focus-visible{outline:3px solid var(--pa);outline-offset:3px}
.pl svg{width:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round}
.pl[data-off]{background:#4b5563;color:#fff}`;
