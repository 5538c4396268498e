import { ValidationError } from '../errors.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Returns the schema name if it is a plain SQL identifier (it is interpolated into statements), else throws. */
export function validateSchemaName(name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ValidationError([
      {
        field: 'schema',
        rule: 'identifier',
        message: 'must be a letter or underscore followed by up to 62 letters, digits or underscores',
      },
    ]);
  }
  return name;
}

/** The validated name, double-quoted for SQL. */
export function quoteIdent(name: string): string {
  return `"${validateSchemaName(name)}"`;
}
