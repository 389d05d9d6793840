// The next turn of Deno and Bun: setImmediate made timer-fair, one for the process, so that the Deno transport
// and the Node.js transport there share one budget of handshake steps.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { timerFairImmediate } from "../../src/transport/immediate-turn.ts";
import { handshakeStepsFor } from "../../src/client/turn-budget.ts";
import { denoTransport } from "../../src/transport/deno.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { runtime } from "../support/transports.ts";

describe("timerFairImmediate", () => {
  it("exists where setImmediate does (Deno 2, Node.js, Bun), and reaches a later turn", async () => {
    assert.equal(typeof timerFairImmediate, "function");
    let ran = false;
    const turn = new Promise<void>((resolve) => timerFairImmediate!(() => resolve(void (ran = true))));
    assert.equal(ran, false);
    await turn;
    assert.equal(ran, true);
  });

  // Where it is a transport's next turn. On Node.js, whether a due timer or an immediate comes first is not
  // fixed, and the Node.js transport takes Node.js's own immediate there.
  const onDenoAndBun = { skip: runtime === "node" && "Deno and Bun only" };
  // The global one, which timerFairImmediate takes.
  const setImmediate = (globalThis as unknown as { setImmediate(run: () => void): unknown }).setImmediate;

  it(
    "on Deno and Bun: comes as an immediate, after the immediates already waiting",
    onDenoAndBun,
    async () => {
      const order: string[] = [];
      const immediate = new Promise<void>((resolve) =>
        setImmediate(() => (order.push("immediate"), resolve()))
      );
      timerFairImmediate!(() => order.push("next turn"));
      await immediate;
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.deepEqual(order, ["immediate", "next turn"]);
    },
  );

  it("on Deno and Bun: comes before a due timer while the timers are not overdue", onDenoAndBun, async () => {
    const order: string[] = [];
    const timer = new Promise<void>((resolve) => setTimeout(() => (order.push("timer tick"), resolve()), 0));
    timerFairImmediate!(() => order.push("next turn"));
    await timer;
    assert.deepEqual(order, ["next turn", "timer tick"]);
  });

  it("on Deno and Bun: lets the timers run first once they are overdue", onDenoAndBun, async () => {
    // The next turn is the process's: a timer tick it asked for in the test before may still be on its way,
    // and would come before this test's timer (timers due together run in the order they were set).
    await new Promise((resolve) => setTimeout(resolve, 1));
    const order: string[] = [];
    const timer = new Promise<void>((resolve) => setTimeout(() => (order.push("timer"), resolve()), 0));
    const turn = new Promise<void>((resolve) =>
      timerFairImmediate!(() => resolve(void order.push("next turn")))
    );
    const held = performance.now();
    while (performance.now() - held < 10); // the event loop held past the slice, with the timer due
    await Promise.all([timer, turn]);
    assert.deepEqual(order, ["timer", "next turn"]);
  });

  it("is the Deno transport's next turn", () => {
    assert.equal(denoTransport.nextTurn, timerFairImmediate);
  });

  it("on Deno and Bun: gives /deno and /node one budget of handshake steps", {
    skip: runtime === "node" && "Deno and Bun only (the Node.js transport takes Node.js's own immediate)",
  }, () => {
    assert.equal(handshakeStepsFor(nodeTransport), handshakeStepsFor(denoTransport));
  });
});
