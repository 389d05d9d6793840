// The turn budget: handshake steps go on at once while the turn's budget lasts; past it they wait for a
// later turn of the event loop, in order, so that timers scheduled meanwhile run between the bursts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { handshakeSteps, STEPS_PER_TURN, TurnBudget } from "../../src/client/turn-budget.ts";

// Takes `count` steps at once; each records its number when it goes on.
function burst(budget: TurnBudget, count: number, log: (string | number)[]): Promise<void>[] {
  return Array.from({ length: count }, (_, i) => {
    const waiting = budget.step();
    if (!waiting) {
      log.push(i + 1);
      return Promise.resolve();
    }
    return waiting.then(() => void log.push(i + 1));
  });
}

describe("TurnBudget", () => {
  it("lets the budget's steps go on at once and holds the rest", async () => {
    const log: (string | number)[] = [];
    const steps = burst(new TurnBudget(3), 5, log);
    assert.deepEqual(log, [1, 2, 3]);
    await Promise.all(steps);
  });

  it("lets the held steps go in order, a budget per turn, with other timers running between the turns", async () => {
    const log: (string | number)[] = [];
    const steps = burst(new TurnBudget(2), 7, log);
    setTimeout(() => log.push("timer"), 0); // the application's, scheduled during the burst
    await Promise.all(steps);
    assert.deepEqual(log.filter((entry) => entry !== "timer"), [1, 2, 3, 4, 5, 6, 7]);
    const timer = log.indexOf("timer");
    // The burst's own two go at once; the timer does not wait for the other five, which take three turns.
    assert.ok(timer >= 2 && timer <= 4, `timer ran at ${timer}: ${log.join(" ")}`);
  });

  it("starts each turn with a full budget again", async () => {
    const budget = new TurnBudget(2);
    await Promise.all(burst(budget, 2, []));
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later turn
    const log: (string | number)[] = [];
    const steps = burst(budget, 3, log);
    assert.deepEqual(log, [1, 2]);
    await Promise.all(steps);
    assert.deepEqual(log, [1, 2, 3]);
  });

  it("is shared by every connect() of the process, with the documented budget", () => {
    assert.ok(handshakeSteps instanceof TurnBudget);
    assert.equal(STEPS_PER_TURN, 10);
  });
});
