/** What `Error.captureStackTrace` does while `withoutTokenTraces` runs: leaves the object as it is. */
function captureNothing(): void {}

/**
 * Runs `build` with `Error.captureStackTrace` doing nothing, so that the
 * cdktf tokens it creates capture no stack trace. cdktf captures and formats
 * a full trace into `creationStack` for every token it creates, with no
 * setting to turn that off: an attribute read (`Reference`), a `Fn` call, and
 * the complex attributes a provider class creates in its constructor. A
 * database mints about 23, a tenth of what `cdktf synth` spends on it (an
 * app under ts-node pays several times more per trace, for its source-map
 * lookups); the trace is read only to extend the message when that token
 * fails to resolve, and for the library's own tokens it would point into the
 * library. cdktf (`tokens/private/stack-trace`) and constructs handle an
 * object left without a stack: the trace is empty.
 *
 * An error created in `build` keeps its stack: V8 records it when the error
 * is constructed, without this function. Only construction after the props
 * checks runs here, so the warnings those checks add keep their traces.
 */
export function withoutTokenTraces<T>(build: () => T): T {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = captureNothing;
  try {
    return build();
  } finally {
    Error.captureStackTrace = capture;
  }
}
