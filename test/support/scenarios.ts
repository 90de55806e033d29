/**
 * The e2e suites' tests, each timed: a suite prints how long each of its
 * scenarios took (CI reads where the time goes), also for the ones that fail.
 */
export interface TimedScenarios {
  /** Registers a test whose duration is recorded, as `test(name, body)` does. */
  readonly scenario: ((name: string, body: () => Promise<void>) => void) & {
    readonly each: <T>(cases: T[]) => (name: string, body: (value: T) => Promise<void>) => void;
  };
  /** One line per scenario run so far: `name: N ms`. */
  readonly timings: string[];
  /** The timings under a heading, for the suite's afterAll to print. */
  report(heading: string): string;
}

export function timedScenarios(): TimedScenarios {
  const timings: string[] = [];
  const timed = async (name: string, body: () => Promise<void>) => {
    const started = Date.now();
    try {
      await body();
    } finally {
      timings.push(`${name}: ${Date.now() - started} ms`);
    }
  };
  const scenario = Object.assign((name: string, body: () => Promise<void>) => test(name, () => timed(name, body)), {
    each: <T>(cases: T[]) => (name: string, body: (value: T) => Promise<void>) => {
      test.each(cases)(name, (value) => timed(name.replace('%s', String(value)), () => body(value)));
    },
  });
  return { scenario, timings, report: (heading) => `${heading}:\n  ${timings.join('\n  ')}` };
}
