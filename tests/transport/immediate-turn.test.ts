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

  it("is the Deno transport's next turn", () => {
    assert.equal(denoTransport.nextTurn, timerFairImmediate);
  });

  it("on Deno and Bun: gives /deno and /node one budget of handshake steps", {
    skip: runtime === "node" && "Deno and Bun only (the Node.js transport takes Node.js's own immediate)",
  }, () => {
    assert.equal(handshakeStepsFor(nodeTransport), handshakeStepsFor(denoTransport));
  });
});
