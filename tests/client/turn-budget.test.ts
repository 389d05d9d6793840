// The turn budget: handshake steps go on at once while the turn's budget lasts; past it they wait for a
// later turn of the event loop, in order, so that timers scheduled meanwhile run between the bursts. With a
// quicker next turn than the timer tick, the due timers still run at least every TIMER_SLICE_MS.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  handshakeSteps,
  handshakeStepsFor,
  type NextTurn,
  STEPS_PER_TURN,
  TIMER_SLICE_MS,
  timerFair,
  TurnBudget,
} from "../../src/client/turn-budget.ts";
import { handshakeStepsFor as publicHandshakeStepsFor, MongoAuthError } from "../../mod.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { denoTransport } from "../../src/transport/deno.ts";
import { runtime } from "../support/transports.ts";

// The ways of reaching the next turn this runtime uses: the timer tick everywhere, the Node.js transport's
// where it has one (an immediate on Node.js, made timerFair on Bun), the Deno transport's on Deno; and a quick
// turn that never lets a timer run by itself (a microtask) made timerFair.
const nextTurns: [string, NextTurn | undefined][] = [
  ["a timer tick", undefined],
  ["a microtask made timerFair", timerFair((run) => queueMicrotask(run))],
];
if (nodeTransport.nextTurn) nextTurns.push(["the Node.js transport's next turn", nodeTransport.nextTurn]);
if (runtime === "deno") nextTurns.push(["the Deno transport's next turn", denoTransport.nextTurn]);

// Holds the event loop for `ms`, as a handshake step's work does.
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

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
    it(`lets the held steps go in order, and a timer that falls due meanwhile runs before the burst ends (${name})`, async () => {
      const log: (string | number)[] = [];
      setTimeout(() => log.push("timer"), 1); // the application's, due while the burst works
      const budget = new TurnBudget(2, nextTurn);
      const steps = Array.from({ length: 12 }, (_, i) => {
        const go = () => void (log.push(i + 1), busy(1)); // each step holds the event loop for 1 ms
        const waiting = budget.step();
        return waiting ? waiting.then(go) : Promise.resolve(go());
      });
      await Promise.all(steps);
      assert.deepEqual(log.filter((entry) => entry !== "timer"), Array.from({ length: 12 }, (_, i) => i + 1));
      // Without a budget all twelve would run before the timer. With timer ticks it waits at most a turn of
      // two steps; with a timerFair turn, at most the timer slice and a turn more (two slices, to spare a
      // runtime that runs the budget's timer tick first).
      const timer = log.indexOf("timer");
      const atMost = 2 * TIMER_SLICE_MS + 2;
      assert.ok(timer !== -1 && timer <= atMost, log.join(" "));
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

  it("is the timer tick's without a transport, and the same from the package's entry point", () => {
    assert.equal(handshakeStepsFor(), handshakeSteps);
    assert.equal(publicHandshakeStepsFor, handshakeStepsFor);
  });

  it("never holds a step, nor asks for a turn, where each request's I/O is its own (Cloudflare Workers)", () => {
    const turns: (() => void)[] = [];
    const budget = handshakeStepsFor({ ioPerRequest: true, nextTurn: (run) => void turns.push(run) });
    const held = Array.from({ length: 3 * STEPS_PER_TURN }, () => budget.step()).filter(Boolean);
    assert.equal(held.length, 0);
    assert.equal(turns.length, 0);
  });

  it("refuses what is not a transport with INVALID_OPTION, naming what it got", () => {
    const refusals: [unknown, RegExp][] = [
      [null, /handshakeStepsFor\(\) needs a Transport .* got null/],
      ["node", /handshakeStepsFor\(\) needs a Transport .* got a string/],
      [{ nextTurn: 5 }, /nextTurn must be a function .* got a number/],
    ];
    for (const [transport, message] of refusals) {
      assert.throws(
        () => handshakeStepsFor(transport as Parameters<typeof handshakeStepsFor>[0]),
        (err: unknown) =>
          err instanceof MongoAuthError && err.code === "INVALID_OPTION" && message.test(err.message),
      );
    }
  });

  it("is shared by every connect() of the process, with the documented budget", () => {
    assert.ok(handshakeSteps instanceof TurnBudget);
    assert.equal(STEPS_PER_TURN, 10);
  });
});

describe("timerFair", () => {
  it("comes by the quick turn while the timers have run lately", async () => {
    const quick: (() => void)[] = [];
    const nextTurn = timerFair((run) => void quick.push(run));
    let ran = false;
    nextTurn(() => (ran = true));
    quick.shift()!();
    assert.equal(ran, true);
    await new Promise((resolve) => setTimeout(resolve, 5)); // its timer tick comes and goes
  });

  it("waits for a timer tick, after the due timers, once they are overdue", async () => {
    const log: string[] = [];
    const nextTurn = timerFair((run) => queueMicrotask(run));
    setTimeout(() => log.push("timer"), 0);
    const turn = new Promise<void>((resolve) => nextTurn(() => resolve(void log.push("turn"))));
    busy(TIMER_SLICE_MS + 1); // the loop is held past the slice before the quick turn comes
    await Promise.resolve();
    assert.deepEqual(log, []);
    await turn;
    assert.deepEqual(log, ["timer", "turn"]);
  });

  it("still comes when the quick turn arrives late, after the timer tick has come and gone", async () => {
    const quick: (() => void)[] = [];
    const nextTurn = timerFair((run) => void quick.push(run));
    let ran = false;
    nextTurn(() => (ran = true));
    await new Promise((resolve) => setTimeout(resolve, 5)); // the timer tick comes first
    busy(TIMER_SLICE_MS + 1); // then the loop is held, so that the timers are overdue when the turn comes
    quick.shift()!();
    assert.equal(ran, false);
    for (let waited = 0; !ran && waited < 1_000; waited += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(ran, true, "still held after 1 s");
  });
});
