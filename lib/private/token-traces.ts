/** What V8 calls to format a stack while `withoutTokenTraces` runs: nothing to format. */
function noTrace(): string {
  return '';
}

/**
 * Runs `build` with stack formatting switched off, so that the cdktf tokens
 * it creates capture no stack trace. cdktf formats a full trace into
 * `creationStack` for every token it creates, with no setting to turn that
 * off: an attribute read (`Reference`), a `Fn` call, and the complex
 * attributes a provider class creates in its constructor. A database mints
 * about 23 (a tenth of `cdktf synth`'s work for it; an app under ts-node
 * pays several times more per trace, for its source-map lookups), and the
 * trace is read only to extend the message when that token fails to
 * resolve; for the library's own tokens it would point into the library.
 *
 * V8 reads `Error.prepareStackTrace` when a stack is first read, not when an
 * error is created: cdktf reads its trace at once (and gets none), while an
 * error thrown in `build` keeps its full stack, formatted after this returns.
 * Only construction after the props checks runs here, so the warnings those
 * checks add keep their traces.
 */
export function withoutTokenTraces<T>(build: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = noTrace;
  try {
    return build();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
