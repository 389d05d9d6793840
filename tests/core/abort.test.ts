// Cancellation helpers: withTimeout (0 is no timeout) and Deadline, connect()'s budget that stops while a
// person signs in.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { abortError, Deadline, STOPPED_PROCESS_MS, withTimeout } from "../../src/core/abort.ts";
import { MongoAuthError } from "../../src/core/errors.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fired = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });

describe("withTimeout", () => {
  it("0 means no timeout: always a signal, which fires only with the caller's", () => {
    const none = withTimeout(undefined, 0);
    assert.ok(none instanceof AbortSignal);
    assert.equal(none.aborted, false);
    const controller = new AbortController();
    const caller = withTimeout(controller.signal, 0);
    controller.abort();
    assert.equal(caller.aborted, true);
  });

  it("a positive timeout fires as TIMEOUT", async () => {
    const signal = withTimeout(undefined, 5);
    const keepAlive = setTimeout(() => {}, 5000); // Node's AbortSignal.timeout does not hold the loop
    await fired(signal);
    clearTimeout(keepAlive);
    assert.equal(abortError(signal).code, "TIMEOUT");
  });
});

describe("Deadline", () => {
  it("fires with a TIMEOUT naming what timed out and connectTimeoutMS", async () => {
    const deadline = new Deadline(undefined, 5, "connecting to db:27017");
    await fired(deadline.signal);
    const err = abortError(deadline.signal);
    assert.equal(err.code, "TIMEOUT");
    assert.match(err.message, /connecting to db:27017 timed out after 5 ms \(connectTimeoutMS\)/);
    deadline.dispose();
  });

  it("expired: true when its own budget ran out, not when the caller, an outer Deadline or abort() fired it", async () => {
    const own = new Deadline(undefined, 5, "connecting to db:27017");
    assert.equal(own.expired, false);
    await fired(own.signal);
    assert.equal(own.expired, true);
    const controller = new AbortController();
    const byCaller = new Deadline(controller.signal, 10_000, "connecting");
    controller.abort();
    const outer = new Deadline(undefined, 5, "the operation");
    const inner = new Deadline(outer, 10_000, "connecting");
    await fired(inner.signal);
    const abandoned = new Deadline(undefined, 10_000, "connecting");
    abandoned.abort(new Error("another server was chosen"));
    assert.deepEqual([byCaller.expired, outer.expired, inner.expired, abandoned.expired], [
      false,
      true,
      false,
      false,
    ]);
    for (const deadline of [byCaller, inner, abandoned]) deadline.dispose();
  });

  it("abort() fires it at once with the reason given, and does nothing once it has fired", () => {
    const deadline = new Deadline(undefined, 60_000, "connecting");
    const abandoned = new Error("abandoned");
    deadline.abort(abandoned);
    assert.equal(deadline.signal.aborted, true);
    assert.equal(deadline.signal.reason, abandoned);
    deadline.abort(new Error("later"));
    assert.equal(deadline.signal.reason, abandoned, "the first reason stays");
    deadline.dispose();
  });

  it("stops while paused, however long the work takes, and runs on afterwards", async () => {
    const deadline = new Deadline(undefined, 20, "connecting");
    const result = await deadline.paused(async (signal) => {
      assert.equal(signal, undefined, "the work gets the caller's signal (none here), not the deadline's");
      await sleep(80);
      return "token";
    });
    assert.equal(result, "token");
    assert.equal(deadline.signal.aborted, false, "no time was counted during the pause");
    await fired(deadline.signal); // the rest of the budget runs out after the pause
    assert.equal(abortError(deadline.signal).code, "TIMEOUT");
    deadline.dispose();
  });

  it("nested pauses resume the clock only when the last one ends", async () => {
    const deadline = new Deadline(undefined, 10, "connecting");
    await deadline.paused(() =>
      Promise.all([deadline.paused(() => sleep(40)), deadline.paused(() => sleep(60))])
    );
    assert.equal(deadline.signal.aborted, false);
    deadline.dispose();
  });

  it("pause() stops the clock until its resume is called; a second call of that resume does nothing", async () => {
    const deadline = new Deadline(undefined, 20, "connecting");
    const resume = deadline.pause();
    const other = deadline.pause();
    await sleep(60);
    assert.equal(deadline.signal.aborted, false, "no time was counted while paused");
    resume();
    resume(); // once only: the other pause still holds the clock
    await sleep(40);
    assert.equal(deadline.signal.aborted, false, "one pause is still on");
    other();
    await fired(deadline.signal);
    assert.equal(abortError(deadline.signal).code, "TIMEOUT");
    deadline.dispose();
  });

  it("a pause and its resume set no timer of their own: the one set at the start is kept", () => {
    const real = { set: globalThis.setTimeout, clear: globalThis.clearTimeout };
    let timers = 0;
    globalThis.setTimeout =
      ((...args: Parameters<typeof setTimeout>) => (timers++, real.set(...args))) as typeof setTimeout;
    globalThis.clearTimeout =
      ((id: Parameters<typeof clearTimeout>[0]) => (timers++, real.clear(id))) as typeof clearTimeout;
    try {
      const deadline = new Deadline(undefined, 60_000, "connecting");
      assert.equal(timers, 1, "the budget's timer");
      deadline.pause()();
      const outer = deadline.pause(), inner = deadline.pause();
      inner();
      outer();
      assert.equal(timers, 1, "no timer set or cleared for the pauses");
      deadline.dispose();
      assert.equal(timers, 2, "dispose clears it");
    } finally {
      Object.assign(globalThis, { setTimeout: real.set, clearTimeout: real.clear });
    }
  });

  it("its timer, set before a pause, fires before the end the pause moved, and waits for the rest", async () => {
    const deadline = new Deadline(undefined, 100, "connecting");
    await deadline.paused(() => sleep(60));
    const resumed = Date.now();
    await sleep(60); // the timer set at the start fired about 100 ms in; the budget ends 100 ms after the resume
    assert.equal(deadline.signal.aborted, false, "the pause moved the end");
    await fired(deadline.signal);
    assert.ok(Date.now() - resumed >= 95, "not before the rest of the budget");
    assert.equal(abortError(deadline.signal).code, "TIMEOUT");
  });

  it("the caller's abort fires it, also during a pause, and reaches the paused work", async () => {
    const controller = new AbortController();
    const deadline = new Deadline(controller.signal, 60_000, "connecting");
    const work = deadline.paused((signal) =>
      new Promise((_, reject) => signal!.addEventListener("abort", () => reject(abortError(signal!))))
    );
    controller.abort();
    await assert.rejects(work, { code: "ABORTED" });
    assert.equal(deadline.signal.aborted, true);
    assert.equal(abortError(deadline.signal).code, "ABORTED");
    deadline.dispose();
  });

  it("a caller signal already fired: fired from the start; pausing then refuses at once", async () => {
    const deadline = new Deadline(AbortSignal.abort(), 60_000, "connecting");
    assert.equal(deadline.signal.aborted, true);
    await assert.rejects(deadline.paused(() => Promise.resolve()), { code: "ABORTED" });
  });

  it("a timer a second or more late (the process had stopped) gives that time back once; the TIMEOUT says so", async () => {
    const deadline = new Deadline(undefined, 20, "connecting to db.example:27017");
    const until = Date.now() + 20 + STOPPED_PROCESS_MS + 100;
    while (Date.now() < until); // the process holds its event loop past the budget, by more than a second
    await sleep(50); // the late timer has fired: the answers that came meanwhile would be read now
    assert.equal(deadline.signal.aborted, false, "the stopped time is not the peer's");
    await fired(deadline.signal); // the time given back runs out: no second reprieve
    const err = abortError(deadline.signal);
    assert.equal(err.code, "TIMEOUT");
    assert.match(err.message, /^connecting to db\.example:27017 timed out after 20 ms \(connectTimeoutMS\)/);
    assert.match(err.message, /this process had stopped for \d+ ms of that time/);
    assert.equal(deadline.expired, true);
    deadline.dispose();
  });

  it("a timer late by less than that fires as it comes", async () => {
    const deadline = new Deadline(undefined, 20, "connecting");
    const until = Date.now() + 200;
    while (Date.now() < until);
    await sleep(50);
    assert.equal(deadline.signal.aborted, true);
    assert.doesNotMatch(abortError(deadline.signal).message, /stopped/);
    deadline.dispose();
  });

  it("0 means no timeout", async () => {
    const deadline = new Deadline(undefined, 0, "connecting");
    await sleep(20);
    assert.equal(deadline.signal.aborted, false);
    deadline.dispose();
  });

  it("timeLeft: what the budget has left, Infinity without one, 0 once fired", async () => {
    const none = new Deadline(undefined, 0, "connecting");
    assert.equal(none.timeLeft(), Infinity);
    const deadline = new Deadline(undefined, 60_000, "connecting");
    const left = deadline.timeLeft();
    assert.ok(left > 0 && left <= 60_000, String(left));
    const short = new Deadline(undefined, 5, "connecting");
    await fired(short.signal);
    assert.equal(short.timeLeft(), 0);
    for (const d of [none, deadline, short]) d.dispose();
  });

  it("inside an outer Deadline: the nearer end counts, and the outer one's abort fires it", async () => {
    const operation = new Deadline(undefined, 30, () => new MongoAuthError("TIMEOUT", "timeoutMS ran out"));
    const connecting = new Deadline(operation, 60_000, "connecting");
    assert.ok(connecting.timeLeft() <= 30, String(connecting.timeLeft()));
    const roomy = new Deadline(new Deadline(undefined, 0, "no clock"), 40, "connecting");
    assert.ok(roomy.timeLeft() > 0 && roomy.timeLeft() <= 40);
    await fired(connecting.signal);
    assert.equal(abortError(connecting.signal).message, "timeoutMS ran out");
    assert.equal(connecting.timeLeft(), 0);
    for (const d of [operation, connecting, roomy]) d.dispose();
  });

  it("after pause(), timeLeft is the outer clock's alone (the paused one does not run)", () => {
    const operation = new Deadline(undefined, 60_000, "the operation");
    const connecting = new Deadline(operation, 20, "connecting");
    const resume = connecting.pause();
    const during = connecting.timeLeft();
    assert.ok(during > 20 && during <= 60_000, String(during));
    resume();
    assert.ok(connecting.timeLeft() <= 20);
    for (const d of [operation, connecting]) d.dispose();
  });

  it("paused() stops the outer clocks too, and hands the work the outermost caller's signal", async () => {
    const controller = new AbortController();
    const operation = new Deadline(controller.signal, 40, "the operation");
    const connecting = new Deadline(operation, 20, "connecting");
    const handed = await connecting.paused(async (signal) => {
      assert.equal(connecting.timeLeft(), Infinity);
      await sleep(80);
      return signal;
    });
    assert.equal(handed, controller.signal);
    assert.equal(operation.signal.aborted, false, "the outer clock did not run while paused");
    assert.equal(connecting.signal.aborted, false);
    const after = connecting.timeLeft();
    assert.ok(after > 0 && after <= 20, String(after));
    await fired(connecting.signal);
    for (const d of [operation, connecting]) d.dispose();
  });

  it("dispose stops the clock for good and lets go of the caller's signal", async () => {
    const controller = new AbortController();
    const deadline = new Deadline(controller.signal, 5, "connecting");
    deadline.dispose();
    await sleep(20);
    controller.abort();
    assert.equal(deadline.signal.aborted, false);
  });
});
