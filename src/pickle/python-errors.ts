/**
 * Python exceptions in a pickle: builtin ones (`builtins.ValueError`, …) and DBOS's own (`dbos._error.*`), described
 * as the plain record DBOS's portable JSON writes for an error (`name`, `message` = Python's `str(err)`, `code`), plus
 * what the pickle carried (`pythonClass`, `args`, instance `attributes`). `DBOSWorkflowError` is rebuilt from it.
 */
import { PyDict, type PyException, type PyGlobal, PyTuple } from './model.ts';
import { pythonRepr, pythonStr } from './python-repr.ts';

export interface PythonErrorDescription {
  /** The class name, e.g. `ValueError`, `DBOSAwaitedWorkflowCancelledError`. */
  name: string;
  /** `str(err)` as Python prints it, e.g. `DBOS Error 13: Awaited workflow w1 was cancelled`. */
  message: string;
  /** As DBOS's portable form extracts it: the first of `code`, `error_code`, `errno`, `status`, `status_code`. */
  code: number | string | null;
  /** The instance's `data` (or `details`, `payload`, `extra`, `meta`, `metadata`) attribute, when it has one. */
  data?: unknown;
  /** `module.qualname`, e.g. `builtins.KeyError`, `dbos._error.DBOSException`. */
  pythonClass: string;
  args: unknown[];
  /** The instance `__dict__` the pickle restored (for DBOS errors with a custom reduce: their constructor fields). */
  attributes: Record<string, unknown>;
}

const BUILTIN_EXCEPTIONS = new Set(
  [
    'BaseException Exception ArithmeticError AssertionError AttributeError BufferError EOFError FloatingPointError',
    'GeneratorExit ImportError ModuleNotFoundError IndexError KeyError KeyboardInterrupt LookupError MemoryError',
    'NameError NotImplementedError OSError EnvironmentError IOError OverflowError RecursionError ReferenceError',
    'RuntimeError StopIteration StopAsyncIteration SyntaxError IndentationError TabError SystemError SystemExit',
    'TypeError UnboundLocalError UnicodeError UnicodeDecodeError UnicodeEncodeError UnicodeTranslateError ValueError',
    'ZeroDivisionError BlockingIOError ChildProcessError ConnectionError BrokenPipeError ConnectionAbortedError',
    'ConnectionRefusedError ConnectionResetError FileExistsError FileNotFoundError InterruptedError IsADirectoryError',
    'NotADirectoryError PermissionError ProcessLookupError TimeoutError Warning UserWarning DeprecationWarning',
    'PendingDeprecationWarning SyntaxWarning RuntimeWarning FutureWarning ImportWarning UnicodeWarning BytesWarning',
    'ResourceWarning EncodingWarning',
  ].flatMap((line) => line.split(' ')),
);

const OS_ERRORS = new Set(
  [
    'OSError EnvironmentError IOError BlockingIOError ChildProcessError ConnectionError BrokenPipeError',
    'ConnectionAbortedError ConnectionRefusedError ConnectionResetError FileExistsError FileNotFoundError',
    'InterruptedError IsADirectoryError NotADirectoryError PermissionError ProcessLookupError TimeoutError',
  ].flatMap((line) => line.split(' ')),
);

/**
 * DBOS 2.30 error classes whose `__reduce__` pickles their constructor arguments instead of the instance dict:
 * their message and `DBOSErrorCode` are rebuilt from those arguments, as their constructors build them.
 */
interface ConstructedError {
  params: string[];
  code: number;
  message: (a: Record<string, unknown>) => string;
}

const DBOS_CONSTRUCTED = new Map<string, ConstructedError>(
  Object.entries({
    DBOSNotAuthorizedError: { params: ['msg'], code: 8, message: (a) => pythonStr(a.msg) },
    DBOSMaxStepRetriesExceeded: {
      params: ['step_name', 'max_retries', 'errors'],
      code: 7,
      message: (a) => `Step ${pythonStr(a.step_name)} has exceeded its maximum of ${pythonStr(a.max_retries)} retries`,
    },
    DBOSUnexpectedStepError: {
      params: ['workflow_id', 'step_id', 'expected_name', 'recorded_name'],
      code: 11,
      message: (a) =>
        `During execution of workflow ${pythonStr(a.workflow_id)} step ${pythonStr(a.step_id)}, function ${pythonStr(a.recorded_name)} was recorded when ${pythonStr(a.expected_name)} was expected. Check that your workflow is deterministic.`,
    },
    DBOSPatchNondeterminismError: {
      params: ['workflow_id', 'patch_name', 'details'],
      code: 15,
      message: (a) =>
        `Cannot deterministically apply patch ${pythonStr(a.patch_name)} in workflow ${pythonStr(a.workflow_id)}: ${pythonStr(a.details)}. Check that your workflow is deterministic.`,
    },
    DBOSQueueDeduplicatedError: {
      params: ['workflow_id', 'queue_name', 'deduplication_id'],
      code: 12,
      message: (a) =>
        `Workflow ${pythonStr(a.workflow_id)} was deduplicated due to an existing workflow in queue ${pythonStr(a.queue_name)} with deduplication ID ${pythonStr(a.deduplication_id)}.`,
    },
    DBOSAwaitedWorkflowCancelledError: {
      params: ['workflow_id'],
      code: 13,
      message: (a) => `Awaited workflow ${pythonStr(a.workflow_id)} was cancelled`,
    },
    DBOSAwaitedWorkflowMaxRecoveryAttemptsExceeded: {
      params: ['workflow_id'],
      code: 14,
      message: (a) => `Awaited workflow ${pythonStr(a.workflow_id)} exceeded its maximum recovery attempts`,
    },
  } satisfies Record<string, ConstructedError>),
);

/** The other DBOS 2.30 error classes: pickled with BaseException's reduce, so the instance dict holds `message`. */
const DBOS_PLAIN = new Set(
  [
    'DBOSException DBOSBaseException DBOSConflictingWorkflowError DBOSRecoveryError DBOSInitializationError',
    'DBOSWorkflowFunctionNotFoundError DBOSNonExistentWorkflowError MaxRecoveryAttemptsExceededError',
    'DBOSConflictingRegistrationError DBOSWorkflowCancelledError DBOSWorkflowConflictIDError',
  ].flatMap((line) => line.split(' ')),
);

const PORTABLE_ERROR = 'dbos._serialization.PortableWorkflowError';

export function isExceptionClass(cls: PyGlobal): boolean {
  if (cls.module === 'builtins') return BUILTIN_EXCEPTIONS.has(cls.name);
  if (cls.module === 'dbos._error') return DBOS_PLAIN.has(cls.name) || DBOS_CONSTRUCTED.has(cls.name);
  return cls.qualifiedName === PORTABLE_ERROR;
}

const CODE_ATTRIBUTES = ['code', 'error_code', 'errno', 'status', 'status_code'];
const DATA_ATTRIBUTES = ['data', 'details', 'payload', 'extra', 'meta', 'metadata'];

/** Describes an exception; `convert` turns a pickled value into its JS form. */
export function describeException(
  exception: PyException,
  convert: (value: unknown) => unknown,
): PythonErrorDescription {
  const { cls, args } = exception;
  const pickled = instanceDict(exception.state);
  const attributes = new Map<string, unknown>(pickled);
  let message: string;
  if (cls.module === 'dbos._error') {
    const constructed = DBOS_CONSTRUCTED.get(cls.name);
    if (constructed && !attributes.has('message')) {
      const named = Object.fromEntries(constructed.params.map((param, i) => [param, args[i]]));
      for (const [key, value] of Object.entries(named)) attributes.set(key, value);
      attributes.set('message', constructed.message(named));
      attributes.set('dbos_error_code', constructed.code);
      attributes.set('status_code', cls.name === 'DBOSNotAuthorizedError' ? 403 : null);
    } else if (!attributes.has('message')) {
      attributes.set('message', args[0] ?? '');
      attributes.set('dbos_error_code', args[1] ?? null);
    }
    const code = attributes.get('dbos_error_code');
    message = `DBOS Error${code ? ` ${pythonStr(code)}` : ''}: ${pythonStr(attributes.get('message'))}`;
  } else if (cls.qualifiedName === PORTABLE_ERROR) {
    message = pythonStr(attributes.get('message') ?? args[0] ?? '');
  } else if (cls.appClass) {
    // What `BaseException.__str__` gives; an app class that overrides `__str__` cannot be followed without its code.
    message = exceptionStr(args);
  } else {
    if (OS_ERRORS.has(cls.name)) attributes.set('errno', args.length >= 2 && args.length <= 5 ? args[0] : null);
    message = builtinMessage(cls.name, args);
  }
  const found = (names: string[]) => names.find((key) => attributes.has(key));
  const codeKey = found(CODE_ATTRIBUTES);
  const rawCode = codeKey === undefined ? null : attributes.get(codeKey);
  const dataKey = found(DATA_ATTRIBUTES);
  const name = cls.qualifiedName === PORTABLE_ERROR ? pythonStr(attributes.get('name') ?? cls.name) : cls.name;
  const description: PythonErrorDescription = {
    name,
    message,
    code: typeof rawCode === 'number' || typeof rawCode === 'string' ? rawCode : null,
    pythonClass: cls.qualifiedName,
    args: args.map(convert),
    attributes: {},
  };
  for (const [key, value] of attributes) defineKey(description.attributes, key, convert(value));
  if (dataKey !== undefined) description.data = description.attributes[dataKey];
  return description;
}

/** `str(err)` of a builtin exception. */
function builtinMessage(name: string, args: readonly unknown[]): string {
  if (OS_ERRORS.has(name) && args.length >= 2 && args.length <= 5) {
    const base = `[Errno ${pythonStr(args[0])}] ${pythonStr(args[1])}`;
    if (args.length < 3 || args[2] === null) return base;
    const target = args.length === 5 && args[4] !== null ? ` -> ${pythonRepr(args[4])}` : '';
    return `${base}: ${pythonRepr(args[2])}${target}`;
  }
  if (name === 'KeyError' && args.length === 1) return pythonRepr(args[0]);
  return exceptionStr(args);
}

/** `BaseException.__str__`: nothing, the one argument's `str()`, or the `repr()` of the argument tuple. */
function exceptionStr(args: readonly unknown[]): string {
  if (args.length === 0) return '';
  if (args.length === 1) return pythonStr(args[0]);
  return pythonRepr(new PyTuple(args));
}

/** The instance dict BUILD restored: a dict, or `(dict, slots)` for classes with `__slots__`. */
function instanceDict(state: unknown): [string, unknown][] {
  const dicts = state instanceof PyTuple ? state.items : [state];
  return dicts.flatMap((dict) =>
    dict instanceof PyDict
      ? dict.entries.filter((entry): entry is [string, unknown] => typeof entry[0] === 'string')
      : [],
  );
}

/** Sets an own property, even `__proto__`, without touching the prototype chain. */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
