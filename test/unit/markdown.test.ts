/** The inline Markdown of the docs page: code, bold and links become HTML; everything else stays escaped text. */
import { describe, expect, it } from 'vitest';
import { inlineMarkdown } from '../../src/http/markdown.ts';

describe('inlineMarkdown', () => {
  it('renders code spans, bold and links', () => {
    expect(inlineMarkdown('Waits `timeoutMs` for **one** [workflow](/docs#result).')).toBe(
      'Waits <code>timeoutMs</code> for <strong>one</strong> <a href="/docs#result">workflow</a>.',
    );
    expect(inlineMarkdown('[RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)')).toBe(
      '<a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457</a>',
    );
  });

  it('escapes HTML before converting, inside code spans too', () => {
    expect(inlineMarkdown('<script>alert(1)</script> & `Bearer <token>`')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; <code>Bearer &lt;token&gt;</code>',
    );
    expect(inlineMarkdown('[x](/a"onclick="alert(1))')).toBe('<a href="/a&quot;onclick=&quot;alert(1">x</a>)');
  });

  it('keeps code span content literal', () => {
    expect(inlineMarkdown('`**not bold**` and `[not](/a/link)`')).toBe(
      '<code>**not bold**</code> and <code>[not](/a/link)</code>',
    );
  });

  it('leaves links to other schemes as text', () => {
    expect(inlineMarkdown('[click](javascript:alert(1))')).toBe('[click](javascript:alert(1))');
    expect(inlineMarkdown('[mail](mailto:a@b.c)')).toBe('[mail](mailto:a@b.c)');
  });

  it('leaves a lone backtick or unclosed bold as it is', () => {
    expect(inlineMarkdown('a ` b ** c')).toBe('a ` b ** c');
  });
});
