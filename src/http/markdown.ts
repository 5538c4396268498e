/**
 * The small Markdown subset route descriptions use — `code`, **bold** and [links](/path) — as HTML. The text is
 * escaped first, so a description can never inject markup; code spans are cut out before bold and links, so their
 * content stays literal. Links go only to http(s) URLs, absolute paths and fragments (no `javascript:`).
 */

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );

const SAFE_HREF = /^(?:https?:\/\/|\/|#)/;

function boldAndLinks(html: string): string {
  return html
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, href: string) =>
      SAFE_HREF.test(href) ? `<a href="${href}">${label}</a>` : whole,
    );
}

/** Inline Markdown (code spans, bold, links) as safe HTML. */
export function inlineMarkdown(text: string): string {
  return escapeHtml(text)
    .split(/(`[^`]+`)/)
    .map((part, index) => (index % 2 === 1 ? `<code>${part.slice(1, -1)}</code>` : boldAndLinks(part)))
    .join('');
}
