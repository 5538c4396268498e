/**
 * Opaque cursors for keyset paging: the last row's (created_at, workflow_uuid) and the sort direction, as
 * base64url JSON. Opaque so callers pass it back unchanged; checked on the way in, so a tampered cursor is a
 * clear validation error rather than a wrong page.
 */
import { ValidationError } from './errors.ts';

export interface Cursor {
  readonly createdAt: number;
  readonly id: string;
  readonly sortDesc: boolean;
}

export function encodeCursor(c: Cursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify([c.createdAt, c.id, c.sortDesc ? 1 : 0]));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Whether `text` is a cursor this client made (for validating it at the HTTP edge). */
export function isCursor(text: string): boolean {
  try {
    decodeCursor(text, 'cursor');
    return true;
  } catch {
    return false;
  }
}

export function decodeCursor(text: string, field: string): Cursor {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
    const [createdAt, id, desc] = JSON.parse(json) as unknown[];
    if (Number.isSafeInteger(createdAt) && typeof id === 'string' && (desc === 0 || desc === 1)) {
      return { createdAt: createdAt as number, id, sortDesc: desc === 1 };
    }
  } catch {
    // reported below
  }
  throw new ValidationError([{ field, rule: 'cursor', message: 'is not a cursor this client returned' }]);
}
