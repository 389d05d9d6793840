import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthCacheStore } from "@mongo-auth/core";
import { DEFAULT_MAX_CONNECTING, HandshakeGate, handshakeGateOf } from "../../src/client/handshake-gate.ts";

const what = "connecting to db.example.net:27017";
const never = new AbortController().signal;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("HandshakeGate", () => {
  it("lets `limit` in at once and queues the rest, admitting them in order as others leave", async () => {
    const gate = new HandshakeGate();
    const admitted: number[] = [];
    const releases = new Map<number, () => void>();
    for (let i = 0; i < 5; i++) {
      void gate.enter(2, never, what).then((release) => {
        admitted.push(i);
        releases.set(i, release);
      });
    }
    await tick();
    assert.deepEqual(admitted, [0, 1]);
    assert.equal(gate.inFlight, 2);
    releases.get(1)!();
    await tick();
    assert.deepEqual(admitted, [0, 1, 2]);
    releases.get(0)!();
    releases.get(2)!();
    await tick();
    assert.deepEqual(admitted, [0, 1, 2, 3, 4]);
    assert.equal(gate.inFlight, 2);
  });

  it("tryEnter admits at once below the bound with nobody queued, and otherwise leaves the caller out", async () => {
    const gate = new HandshakeGate();
    const first = gate.tryEnter(1);
    assert.equal(typeof first, "function");
    assert.equal(gate.tryEnter(1), undefined); // at the bound
    assert.equal(gate.inFlight, 1);
    const waiting = gate.enter(1, never, what); // queues behind the first
    await tick();
    assert.equal(gate.tryEnter(5), undefined); // below its own bound, but not ahead of the queue
    assert.equal(gate.inFlight, 1);
    first!();
    (await waiting)();
    assert.equal(gate.inFlight, 0);
  });

  it("counts a release once, however often it is called", async () => {
    const gate = new HandshakeGate();
    const release = await gate.enter(1, never, what);
    release();
    release();
    assert.equal(gate.inFlight, 0);
    await gate.enter(1, never, what);
    assert.equal(gate.inFlight, 1);
  });

  it("a wait ends with the signal's error, leaves the queue, and lets the next one in", async () => {
    const gate = new HandshakeGate();
    const release = await gate.enter(1, never, what);
    const controller = new AbortController();
    const gaveUp = gate.enter(1, controller.signal, what);
    let nextIn = false;
    const next = gate.enter(1, never, what).then((r) => {
      nextIn = true;
      return r;
    });
    controller.abort();
    await assert.rejects(gaveUp, { code: "ABORTED", message: /connecting to db\.example\.net:27017/ });
    release();
    (await next)();
    assert.equal(nextIn, true);
    assert.equal(gate.inFlight, 0);
  });

  it("refuses at once under a signal that has already fired, counting nothing", async () => {
    const gate = new HandshakeGate();
    await assert.rejects(gate.enter(1, AbortSignal.abort(), what), { code: "ABORTED" });
    assert.equal(gate.inFlight, 0);
  });

  it("one gate per client (cache store), and one for the process's connections without one", () => {
    const store = new AuthCacheStore();
    assert.equal(handshakeGateOf(store), handshakeGateOf(store));
    assert.notEqual(handshakeGateOf(store), handshakeGateOf(new AuthCacheStore()));
    assert.equal(handshakeGateOf(undefined), handshakeGateOf(undefined));
    assert.notEqual(handshakeGateOf(undefined), handshakeGateOf(store));
    assert.equal(DEFAULT_MAX_CONNECTING, 100);
  });
});
