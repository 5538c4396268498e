/**
 * What a string must be before it reaches the database. Postgres refuses a NUL in text and jsonb (it would fail the
 * whole statement, and every other caller's row coalesced into it); a lone UTF-16 surrogate has no UTF-8 form, so a
 * driver stores it mangled (U+FFFD) or jsonb refuses it; and a btree index entry has a hard size limit (2704 bytes),
 * so an over-long identifier fails at insert time. Checking here turns all three into a `ValidationError` that
 * names the field, before any SQL runs.
 */

/**
 * Longest identifier (workflow ID, name, queue, key, topic, deduplication ID…), in UTF-8 bytes. DBOS's widest
 * index holds four identifiers (queue, partition key, workflow ID, application name): four of these plus the
 * other columns stay under Postgres's btree limit even when the values do not compress.
 */
export const MAX_ID_BYTES = 512;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** No NUL character and no lone surrogate: the string has an exact UTF-8 form Postgres stores as text. */
export function isStorableText(s: string): boolean {
  return !s.includes('\0') && !LONE_SURROGATE.test(s);
}

/** The string's size in UTF-8 bytes (a lone surrogate counts as the 3 bytes of its replacement). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Whether every string in a JSON-like value, keys included, is storable in jsonb (see `isStorableText`). */
export function isStorableJson(value: unknown): boolean {
  // Iterative, so a deeply nested value cannot overflow the stack.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const x = pending.pop();
    if (typeof x === 'string') {
      if (!isStorableText(x)) return false;
    } else if (Array.isArray(x)) {
      pending.push(...x);
    } else if (x !== null && typeof x === 'object') {
      for (const [key, inner] of Object.entries(x)) {
        if (!isStorableText(key)) return false;
        pending.push(inner);
      }
    }
  }
  return true;
}
