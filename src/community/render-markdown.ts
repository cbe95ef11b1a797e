/**
 * Community posts are markdown written by anyone: rendered with markdown-it with raw HTML off (a `<script>` in
 * the text stays text), then passed through sanitize-html with an allowlist, so whatever markdown-it or a future
 * plugin produces, only these elements and attributes reach the page:
 *
 * - p, em, strong, code, pre, ul, ol, li, blockquote, h3–h6, br, hr, and a[href];
 * - links only to http(s) and mailto (no `javascript:`, `data:`, `vbscript:`, relative tricks), always
 *   `rel="nofollow ugc noopener"`, opened in the same tab;
 * - no images, no attributes other than `href` (so no `on*` handlers, no `style`, no `class`);
 * - headings `#`/`##` are shown as h3/h4 so a post never outranks the page's own headings.
 */
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/** Markdown source longer than this is not rendered (the forms refuse it long before). */
export const MAX_MARKDOWN = 20_000;

const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
// markdown-it's own link check already refuses javascript:, vbscript:, file: and most data:; ours is stricter.
md.validateLink = (url: string) => /^(https?:|mailto:)/i.test(url.trim());
// No images, not even as markdown: a remote image is a tracking pixel.
md.disable(['image']);

const SAFE_HREF = /^(https?:\/\/|mailto:)[^\s"'<>`]*$/i;

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'em', 'strong', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote', 'a', 'h3', 'h4', 'h5', 'h6', 'br', 'hr'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // The contents of these are dropped with the tag (sanitize-html's defaults plus a few more).
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math'],
  enforceHtmlBoundary: false,
  parseStyleAttributes: false,
  transformTags: {
    h1: 'h3',
    h2: 'h4',
    a: (tagName, attribs): sanitizeHtml.Tag => {
      const href = (attribs.href ?? '').trim();
      // Not an allowed link: the tag goes (span is not allowed), its text stays.
      if (!SAFE_HREF.test(href)) return { tagName: 'span', attribs: {} };
      return { tagName, attribs: { href, rel: 'nofollow ugc noopener' } };
    },
  },
};

/** Markdown → safe HTML for a community page (to be inserted as trusted HTML, e.g. `{{{html}}}`). */
export function renderMarkdown(source: string): string {
  const text = source.length > MAX_MARKDOWN ? source.slice(0, MAX_MARKDOWN) : source;
  return sanitizeHtml(md.render(text), sanitizeOptions);
}

/** Links in a post (for the spam rule "too many links → pending"): http(s) URLs and bare www. addresses. */
export function countLinks(source: string): number {
  return md.linkify.match(source)?.length ?? 0;
}
