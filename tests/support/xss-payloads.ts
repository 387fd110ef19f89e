// An XSS corpus for the widget's rendering paths, built from well-known vector families. Every vector that could
// run script calls `__xss()` or `alert()` (the tests turn both into tripwires). No NUL characters: the protocol
// refuses them outright, so they would never reach the page.

/** Vectors that run script if they ever become markup, by family. */
const FAMILIES: Record<string, string[]> = {
  script: [
    '<script>__xss()</script>',
    '<script>alert(1)</script>',
    '<SCRIPT>__xss()</SCRIPT>',
    '<script src="data:text/javascript,__xss()"></script>',
    '<script/src=data:,__xss()></script>',
    '<scr<script>ipt>__xss()</scr</script>ipt>',
    '<script\n>__xss()</script\n>',
    '<script type="module">__xss()</script>',
    '</textarea><script>__xss()</script>',
    '</p></div><script>__xss()</script>',
    '<script>/*</script><script>*/__xss()</script>',
    '<<script>__xss();//<</script>',
  ],
  handlers: [
    '<img src=x onerror=__xss()>',
    '<img src="x" onerror="alert(1)">',
    '<IMG SRC=x ONERROR=__xss()>',
    '<img/src=x/onerror=__xss()>',
    '<svg onload=__xss()>',
    '<svg/onload=alert(1)>',
    '<body onload=__xss()>',
    '<iframe onload=__xss()></iframe>',
    '<input autofocus onfocus=__xss()>',
    '<select autofocus onfocus=__xss()></select>',
    '<textarea autofocus onfocus=__xss()></textarea>',
    '<details open ontoggle=__xss()>',
    '<video><source onerror=__xss()></video>',
    '<audio src=x onerror=__xss()></audio>',
    '<marquee onstart=__xss()>x</marquee>',
    '<div onmouseover=__xss()>hover me</div>',
    '<object data=x onerror=__xss()></object>',
    '<style onload=__xss()></style>',
    '<link rel=stylesheet href=x onerror=__xss()>',
    '<image src=x onerror=__xss()>',
    '<button autofocus onfocus=__xss()>b</button>',
    '<a onfocus=__xss() autofocus href=#>a</a>',
    '<form><button formaction=javascript:__xss()>go</button></form>',
    '<isindex type=image src=x onerror=__xss()>',
    '<body onpageshow=__xss()>',
    '<img src=x onerror=__xss`1`>',
    '<img src=x onerror=window["__xss"]()>',
    '<img src=x oNeRrOr=__xss()>',
  ],
  urls: [
    'javascript:__xss()',
    'JaVaScRiPt:__xss()',
    'java\tscript:__xss()',
    'java\nscript:__xss()',
    ' javascript:__xss()',
    'javascript://%0a__xss()',
    'javascript:/*--></title></style></textarea></script><svg/onload=__xss()>',
    '<a href="javascript:__xss()">click</a>',
    '<a href="  javascript:__xss()">click</a>',
    '<a href="&#106;avascript:__xss()">click</a>',
    '<a href="jav&#x09;ascript:__xss()">click</a>',
    'data:text/html,<script>__xss()</script>',
    'data:text/html;base64,PHNjcmlwdD5fX3hzcygpPC9zY3JpcHQ+',
    '<a href="data:text/html,<script>__xss()</script>">d</a>',
    'vbscript:msgbox(1)',
    '<a href="vbscript:msgbox(1)">v</a>',
    'https://ok.example/"onmouseover="__xss()',
    "https://ok.example/'onclick='__xss()",
    'http://x.example/<script>__xss()</script>',
    'https://x.example/?q=<img src=x onerror=__xss()>',
    'mailto:a@b.example?body=<script>__xss()</script>',
    'mailto:javascript:__xss()',
    'https://example.com/javascript:__xss()',
    'http://javascript:__xss()@ok.example',
    'x@javascript:__xss().example',
    '//evil.example/x.js',
    'file:///etc/passwd',
    'blob:https://ok.example/0',
    'https:javascript:__xss()',
    'https://ok.example)javascript:__xss(',
  ],
  svgMath: [
    '<svg><script>__xss()</script></svg>',
    '<svg><script href=data:,__xss() />',
    '<svg><animate onbegin=__xss() attributeName=x dur=1s>',
    '<svg><a xlink:href="javascript:__xss()"><text x=20 y=20>x</text></a></svg>',
    '<svg><set attributeName=onmouseover to=__xss()>',
    '<svg><foreignObject><img src=x onerror=__xss()></foreignObject></svg>',
    '<svg><use href="data:image/svg+xml,<svg id=x onload=__xss()>"/></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=__xss()>',
    '<math href="javascript:__xss()">x</math>',
    '<math><maction actiontype=statusline xlink:href=javascript:__xss()>x</maction></math>',
    '<svg><style><img src=x onerror=__xss()></style></svg>',
    '<svg><title><img src=x onerror=__xss()></title></svg>',
  ],
  templates: [
    '<template><img src=x onerror=__xss()></template>',
    '<noscript><p title="</noscript><img src=x onerror=__xss()>">',
    '<noembed><img title="</noembed><img src=x onerror=__xss()>"></noembed>',
    '<xmp><img src=x onerror=__xss()></xmp>',
    '<iframe srcdoc="<script>parent.__xss()</script>"></iframe>',
    '<iframe src="javascript:parent.__xss()"></iframe>',
    '<title><img src=x onerror=__xss()></title>',
    '<!--<img src="--><img src=x onerror=__xss()//">',
    '<style><img src=x onerror=__xss()></style>',
    '<plaintext><img src=x onerror=__xss()>',
    '<![CDATA[<img src=x onerror=__xss()>]]>',
    '<?xml version="1.0"?><img src=x onerror=__xss()>',
    '<object data="data:text/html,<script>parent.__xss()</script>"></object>',
    '<embed src="javascript:__xss()">',
    '<base href="javascript:__xss()//">',
    '<meta http-equiv="refresh" content="0;url=javascript:__xss()">',
    '<slot name=x><img src=x onerror=__xss()></slot>',
    '<parley-chat onclick=__xss()></parley-chat>',
  ],
  encodings: [
    '&lt;img src=x onerror=__xss()&gt;',
    '&#60;script&#62;__xss()&#60;/script&#62;',
    '&#x3C;img src=x onerror=__xss()&#x3E;',
    '\\u003cimg src=x onerror=__xss()\\u003e',
    '\\x3cscript\\x3e__xss()\\x3c/script\\x3e',
    '%3Cscript%3E__xss()%3C%2Fscript%3E',
    '%253Cscript%253E__xss()%253C%252Fscript%253E',
    '<img src=x onerror=&#95;&#95;xss()>',
    '<img src=x onerror="\\u005f\\u005fxss()">',
    '<img src=x onerror=eval(atob("X194c3MoKQ=="))>',
    '<img src=x onerror=eval(String.fromCharCode(95,95,120,115,115,40,41))>',
    '＜script＞__xss()＜/script＞',
    '﹤img src=x onerror=__xss()﹥',
    '+ADw-script+AD4-__xss()+ADw-/script+AD4-',
    '\u00BCscript\u00BE__xss()\u00BC/script\u00BE',
    '<img src=x onerror=\u0061lert(1)>',
    '<scr\u0130pt>__xss()</scr\u0130pt>',
    '<img src=x onerror=top[`__x`+`ss`]()>',
  ],
  css: [
    '<div style="background:url(javascript:__xss())">x</div>',
    '<div style="width:expression(__xss())">x</div>',
    '<style>@import "javascript:__xss()";</style>',
    '<style>*{background:url("javascript:__xss()")}</style>',
    '<link rel=stylesheet href="javascript:__xss()">',
    '<div style="behavior:url(x.htc)">x</div>',
    '<div style="-moz-binding:url(x.xml#xss)">x</div>',
    '<style>:host{display:none}</style>',
    '<style>*{display:none!important}</style>',
    '<p style="position:fixed;inset:0;z-index:2147483647;background:red">overlay</p>',
  ],
  markdown: [
    '[click](javascript:__xss())',
    '[click](JAVASCRIPT:__xss())',
    '[a](data:text/html,<script>__xss()</script>)',
    '![img](x" onerror="__xss())',
    '![img](javascript:__xss())',
    '[x](https://ok.example "title" onclick=__xss())',
    '<https://x.example/"onclick="__xss()>',
    '[x]( javascript:__xss() )',
    '**<img src=x onerror=__xss()>**',
    '`<script>__xss()</script>`',
    '[x](&#106;avascript:__xss())',
    '[x]: javascript:__xss()',
    '<javascript:__xss()>',
    '[![x](https://ok.example/i.png)](javascript:__xss())',
    '```html\n<script>__xss()</script>\n```',
    '> <img src=x onerror=__xss()>',
  ],
  bidi: [
    '\u202Egnp.exe',
    'https://good.example/\u202Emoc.live//:sptth',
    '\u202Ejavascript:__xss()',
    '\u2066\u2067<img src=x onerror=__xss()>\u2069',
    'java\u200Bscript:__xss()',
    '\uFEFF<script>__xss()</script>',
    'https://ok.example/\u200E\u200Fpath',
    '\u061C<svg onload=__xss()>',
    'a\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
    '\u{1F4A9}<img src=x onerror=__xss()>\u{1F4A9}',
  ],
  breakouts: [
    '" onmouseover="__xss()',
    "' onfocus='__xss()' autofocus '",
    '` onclick=__xss() `',
    '"><img src=x onerror=__xss()>',
    "'><svg onload=__xss()>",
    '</a><a href=javascript:__xss()>x</a>',
    '</span></p></div></div><img src=x onerror=__xss()>',
    '</time><script>__xss()</script>',
    '{{constructor.constructor("__xss()")()}}',
    '${__xss()}',
    '{count}{name}{position}',
    '__proto__',
    'constructor',
    '<%= __xss() %>',
    '#{__xss()}',
  ],
};

const variants = (v: string): string[] => [v, `"><${v.replace(/^</, '')}`, `x ${v} y`];

/** The corpus, in a stable order, deduplicated. Includes very long strings near the message limit. */
export function xssPayloads(): string[] {
  const all = new Set<string>();
  for (const family of Object.values(FAMILIES)) for (const v of family) for (const p of variants(v)) all.add(p);
  all.add('A'.repeat(3990));
  all.add('<img src=x onerror=__xss()>'.repeat(140));
  all.add(`https://x.example/${'a'.repeat(3900)}`);
  all.add('<b>'.repeat(1300));
  all.add('\u{1F600}'.repeat(1900));
  all.add(`${'x'.repeat(3000)}<script>__xss()</script>`);
  return [...all];
}

/** Joins `payloads` into batches no longer than `maxChars` (a longer payload gets a batch of its own). */
export function batchPayloads(payloads: string[], maxChars: number, separator = '\n'): string[] {
  const batches: string[] = [];
  let current = '';
  for (const p of payloads) {
    if (current && current.length + separator.length + p.length > maxChars) {
      batches.push(current);
      current = '';
    }
    current = current ? `${current}${separator}${p}` : p;
  }
  if (current) batches.push(current);
  return batches;
}
