// Counting for the MongoDB spec runners (tests/spec/): each registers its cases here and, once its suite
// has run, prints how many passed and every case it deliberately does not follow, with the reason. No
// case is ever skipped: a deviation runs too, asserting what the project does instead and that the
// file still says otherwise (so a deviation that upstream resolves fails until it is removed).
import { after, it } from "node:test";

/** The cases of one runner. Call {@link specTally} inside a `describe`. */
export interface SpecTally {
  /** A case that must behave exactly as the spec file says. */
  case(name: string, run: () => unknown): void;
  /** A case the project deliberately does not follow: `run` asserts what it does instead. */
  deviation(name: string, reason: string, run: () => unknown): void;
}

/**
 * Starts counting the cases of `suite`; the summary is printed after the enclosing `describe`.
 * @param suite what the runner runs, e.g. "connection-string spec (Deno)"
 * @returns where to register the cases
 */
export function specTally(suite: string): SpecTally {
  let total = 0;
  let passed = 0;
  const deviations: string[] = [];
  after(() => {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const lines = [
      `${suite}: ${passed} of ${total} cases passed; ${total - deviations.length} run as the files say, ` +
      `${plural(deviations.length, "deliberate deviation")}${deviations.length > 0 ? ":" : ""}`,
      ...deviations.map((line) => `  - ${line}`),
    ];
    console.log(lines.join("\n"));
  });
  const register = (name: string, run: () => unknown) => {
    total++;
    it(name, async () => {
      await run();
      passed++;
    });
  };
  return {
    case: register,
    deviation(name, reason, run) {
      deviations.push(`${JSON.stringify(name)}: ${reason}`);
      register(`${name} [deliberate deviation: ${reason}]`, run);
    },
  };
}
