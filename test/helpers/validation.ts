import { expect } from 'vitest';
import { ValidationError, type ValidationIssue } from '../../src/errors.ts';

/** The ValidationError `fn` throws; fails the test if it returns, or throws anything else. */
export function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

/** The issues of the ValidationError `fn` throws. */
export function issuesOf(fn: () => unknown): readonly ValidationIssue[] {
  return validationErrorOf(fn).issues;
}
