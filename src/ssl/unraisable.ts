/**
 * Python's `sys.unraisablehook` for the exceptions a user callback raises
 * where nobody can catch them: inside the handshake (the SNI callback), or
 * while writing the key log. Python's `_ssl` calls `PyErr_WriteUnraisable`
 * and fails the handshake with an alert; here the exception goes to the hook
 * the user set with `setUnraisableHook`, else to `process.emitWarning`. It
 * never reaches the event loop (no uncaughtException, no unhandledRejection).
 */

/** The argument Python's `sys.unraisablehook` receives (`exc_type`, `exc_value`, …, camelCased). */
export interface UnraisableHookArgs {
  /** The exception's class (its constructor), or null for a thrown non-object. */
  readonly excType: unknown;
  /** What the callback threw. */
  readonly excValue: unknown;
  /** The stack trace text, or null. */
  readonly excTraceback: string | null;
  /** Python's `err_msg`: null means "Exception ignored in". */
  readonly errMsg: string | null;
  /** Python's `object`: the callback that raised, or the bad value it returned. */
  readonly object: unknown;
}

export type UnraisableHook = (unraisable: UnraisableHookArgs) => void;

let userHook: UnraisableHook | null = null;

/**
 * Sets the hook that receives exceptions raised in callbacks the library
 * calls during a handshake (Python: `sys.unraisablehook = hook`); `null`
 * restores the default, which reports them with `process.emitWarning`
 * (type `UnraisableWarning`), as Python's default hook prints them.
 */
export function setUnraisableHook(hook: UnraisableHook | null): void {
  if (hook !== null && typeof hook !== 'function') throw new TypeError('not a callable object');
  userHook = hook;
}

/** The hook set with `setUnraisableHook`, or null when the default is in use (Python's `sys.unraisablehook`, read). */
export function getUnraisableHook(): UnraisableHook | null {
  return userHook;
}

function describe(object: unknown): string {
  if (typeof object === 'function') return `<function ${object.name || '<anonymous>'}>`;
  if (typeof object === 'string') return `'${object}'`;
  try {
    return String(object);
  } catch {
    return Object.prototype.toString.call(object);
  }
}

function defaultHook(u: UnraisableHookArgs): void {
  const v = u.excValue as { name?: unknown; message?: unknown } | null;
  const text = v instanceof Error ? `${v.name}: ${v.message}` : describe(u.excValue);
  const head = u.errMsg ?? 'Exception ignored in';
  process.emitWarning(`${head}: ${describe(u.object)}: ${text}`, { type: 'UnraisableWarning', detail: u.excTraceback ?? undefined });
}

function argsFor(excValue: unknown, object: unknown, errMsg: string | null): UnraisableHookArgs {
  const isObject = typeof excValue === 'object' && excValue !== null;
  const stack = excValue instanceof Error ? excValue.stack ?? null : null;
  return { excType: isObject ? (excValue as object).constructor ?? null : null, excValue, excTraceback: stack, errMsg, object };
}

/**
 * Python's `PyErr_WriteUnraisable(object)`: hands `excValue` to the hook.
 * A hook that throws is itself reported by the default hook, as Python does.
 */
export function writeUnraisable(excValue: unknown, object: unknown, errMsg: string | null = null): void {
  const args = argsFor(excValue, object, errMsg);
  const hook = userHook;
  try {
    if (hook === null) defaultHook(args);
    else hook(args);
  } catch (e) {
    try {
      defaultHook(argsFor(e, hook, 'Exception ignored in sys.unraisablehook'));
      if (hook !== null) defaultHook(args);
    } catch {
      // Nothing is left that could report it.
    }
  }
}

/**
 * A callback that returned a promise (an async function): Python would see a
 * coroutine; its rejection must not become an unhandledRejection.
 */
export function reportRejection(value: unknown, object: unknown): void {
  if (typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function') {
    (value as PromiseLike<unknown>).then(undefined, (e: unknown) => writeUnraisable(e, object));
  }
}
