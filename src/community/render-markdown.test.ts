/**
 * Community markdown against real XSS payloads (OWASP XSS filter evasion cheat sheet style): whatever goes in,
 * what comes out has no script, no event handler, no style, no image, and no link other than http(s)/mailto.
 */
import { describe, expect, it } from 'vitest';
import { countLinks, renderMarkdown } from './render-markdown.ts';

const payloads = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<IMG SRC="javascript:alert(\'XSS\');">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](javascript&#58;alert(1))',
  '[x]( javascript:alert(1))',
  '[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](file:///etc/passwd)',
  '![x](javascript:alert(1))',
  '![x](https://tracker.example/pixel.gif)',
  '[x](https://ok.example "title" onmouseover="alert(1)")',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<a href="https://ok.example" onclick="alert(1)">ok</a>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<<script>alert(1);//<</script>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '<details open ontoggle=alert(1)>',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<object data="javascript:alert(1)">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '[a]: javascript:alert(1)\n\n[click][a]',
  '<https://ok.example/"onmouseover="alert(1)>',
  'https://ok.example/path?x="><script>alert(1)</script>',
];

/** What may appear in the output at all: these tags, and only href/rel on links. */
const ALLOWED_TAGS = new Set(['p', 'em', 'strong', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote', 'a', 'h3', 'h4', 'h5', 'h6', 'br', 'hr']);

function tagsOf(html: string): { tag: string; attrs: string }[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((m) => ({ tag: m[1]!.toLowerCase(), attrs: m[2] ?? '' }));
}

describe('renderMarkdown', () => {
  it.each(payloads)('renders %j inert', (payload) => {
    const html = renderMarkdown(payload);
    for (const { tag, attrs } of tagsOf(html)) {
      expect(ALLOWED_TAGS.has(tag), `${tag} in ${html}`).toBe(true);
      const names = [...attrs.matchAll(/\s([a-zA-Z-]+)=/g)].map((m) => m[1]!.toLowerCase());
      for (const n of names) expect(tag === 'a' && (n === 'href' || n === 'rel'), `${tag}[${n}] in ${html}`).toBe(true);
    }
    for (const { attrs } of tagsOf(html)) for (const m of attrs.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^(https?:\/\/|mailto:)/);
    expect(html).not.toMatch(/<script|<img|<svg|<iframe|<style|<object|<form|<meta|<math|<details/i);
    // Handlers and script URLs may survive only as visible text (escaped), never inside a tag.
    for (const { attrs } of tagsOf(html)) expect(attrs).not.toMatch(/\bon[a-z]+|javascript:|data:|vbscript:/i);
  });

  it('keeps ordinary formatting and safe links, marked nofollow ugc', () => {
    const html = renderMarkdown(
      '# Big\n\n## Smaller\n\n**bold** _it_ `code`\n\n- one\n- two\n\n> quoted\n\n[shop](https://shop.example/a?b=1) and mail <help@shop.example>\n\n---',
    );
    expect(html).toContain('<h3>Big</h3>');
    expect(html).toContain('<h4>Smaller</h4>');
    expect(html).toContain('<strong>bold</strong> <em>it</em> <code>code</code>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<a href="https://shop.example/a?b=1" rel="nofollow ugc noopener">shop</a>');
    expect(html).toContain('href="mailto:help@shop.example"');
    expect(html).toContain('<hr />');
  });

  it('shows raw HTML as text rather than dropping what people wrote', () => {
    expect(renderMarkdown('a <b>bold</b> claim')).toBe('<p>a &lt;b&gt;bold&lt;/b&gt; claim</p>\n');
  });

  it('links bare URLs and counts them for the spam rule', () => {
    expect(renderMarkdown('see https://a.example/x')).toContain('<a href="https://a.example/x" rel="nofollow ugc noopener">');
    expect(countLinks('see https://a.example and http://b.example, no link here')).toBe(2);
    expect(countLinks('plain words only')).toBe(0);
  });
});
