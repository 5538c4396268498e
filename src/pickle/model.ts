/**
 * What the unpickler builds before converting to JS: Python containers and objects that opcodes still mutate
 * (APPENDS, SETITEMS, ADDITEMS, BUILD) or whose JS form depends on their final contents (a dict's keys decide
 * object versus Map). Immutable values (numbers, strings, bytes, dates) are stored in their final JS form.
 */

/** A class or function named by GLOBAL/STACK_GLOBAL; only ever a reference, never looked up or called. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    /** Not one the decoder knows: an app's own class, named where only an exception can stand (a stored error). */
    readonly appClass = false,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

export class PyList {
  constructor(readonly items: unknown[] = []) {}
}

export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** `dict`, `collections.OrderedDict` or `collections.defaultdict` (whose factory is dropped: it is code). */
export class PyDict {
  readonly entries: [unknown, unknown][] = [];
}

export class PySet {
  constructor(
    readonly items: unknown[],
    readonly frozen: boolean,
  ) {}
}

/** `datetime.timedelta`, normalised as Python stores it (days, 0 ≤ seconds < 86400, 0 ≤ microseconds < 10⁶). */
export class PyTimedelta {
  constructor(
    readonly days: number,
    readonly seconds: number,
    readonly microseconds: number,
  ) {}

  get totalMicroseconds(): number {
    return (this.days * 86_400 + this.seconds) * 1_000_000 + this.microseconds;
  }
}

/** `datetime.timezone`: a fixed offset from UTC. */
export class PyTimezone {
  constructor(readonly offset: PyTimedelta) {}
}

/** An exception instance: its class, its `args`, and the instance dict BUILD restores. */
export class PyException {
  state: unknown = null;
  constructor(
    readonly cls: PyGlobal,
    readonly args: readonly unknown[],
  ) {}
}

/** An object made by NEWOBJ (`cls.__new__(cls)`) whose BUILD state carries its value (`uuid.UUID`). */
export class PyNewObject {
  state: unknown = null;
  constructor(readonly cls: PyGlobal) {}
}

/** `zoneinfo.ZoneInfo`: an IANA time zone, whose offsets come from the runtime's own zone data (`Intl`). */
export class PyZoneInfo {
  constructor(readonly key: string) {}
}
