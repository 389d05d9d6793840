// The turn budget: handshake steps go on at once while the turn's budget lasts; past it they wait for a
// later turn of the event loop, in order, so that timers scheduled meanwhile run between the bursts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  handshakeSteps,
  handshakeStepsFor,
  type NextTurn,
  STEPS_PER_TURN,
  TurnBudget,
} from "../../src/client/turn-budget.ts";
import { nodeTransport } from "../../src/transport/node.ts";

// The ways of reaching the next turn this runtime uses: the timer tick everywhere, and an immediate where
// the Node.js transport says it is one (on Node.js only).
const nextTurns: [string, NextTurn | undefined][] = [["a timer tick", undefined]];
if (nodeTransport.nextTurn) nextTurns.push(["the Node.js transport's next turn", nodeTransport.nextTurn]);

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

  for (const [name, nextTurn] of nextTurns) {
    it(`lets the held steps go in order, and a timer that falls due meanwhile runs between the turns (${name})`, async () => {
      const log: (string | number)[] = [];
      const busy = (ms: number) => {
        const until = performance.now() + ms;
        while (performance.now() < until);
      };
      setTimeout(() => log.push("timer"), 1); // the application's, due while the burst works
      const budget = new TurnBudget(2, nextTurn);
      const steps = Array.from({ length: 6 }, (_, i) => {
        const go = () => void (log.push(i + 1), busy(1)); // each step holds the event loop for 1 ms
        const waiting = budget.step();
        return waiting ? waiting.then(go) : Promise.resolve(go());
      });
      await Promise.all(steps);
      assert.deepEqual(log.filter((entry) => entry !== "timer"), [1, 2, 3, 4, 5, 6]);
      // Without a budget all six would run before the timer; with it, the timer waits at most one more turn.
      const timer = log.indexOf("timer");
      assert.ok(timer !== -1 && timer < log.indexOf(5), log.join(" "));
    });
  }

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

  it("reaches the next turn through the function it is given, once per turn", async () => {
    const turns: (() => void)[] = [];
    const budget = new TurnBudget(1, (run) => void turns.push(run));
    assert.equal(budget.step(), undefined);
    const held = budget.step();
    assert.ok(held instanceof Promise);
    assert.equal(budget.step() instanceof Promise, true);
    assert.equal(turns.length, 1);
    turns.shift()!(); // the next turn: one step goes on, and another turn is asked for
    await held;
    assert.equal(turns.length, 1);
  });

  it("is one budget per way of reaching the next turn, the timer tick's without one", () => {
    const nextTurn: NextTurn = (run) => void setTimeout(run, 0);
    assert.equal(handshakeStepsFor({}), handshakeSteps);
    assert.equal(handshakeStepsFor({ nextTurn }), handshakeStepsFor({ nextTurn }));
    assert.notEqual(handshakeStepsFor({ nextTurn }), handshakeSteps);
  });

  it("is shared by every connect() of the process, with the documented budget", () => {
    assert.ok(handshakeSteps instanceof TurnBudget);
    assert.equal(STEPS_PER_TURN, 10);
  });
});
