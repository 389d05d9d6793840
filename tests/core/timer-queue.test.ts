import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type TimerClock, TimerQueue } from "../../src/core/timer-queue.ts";

// A clock whose time moves only when the test says, and that shows which timers are set.
function fakeClock() {
  let time = 1_000;
  let nextId = 1;
  const timers = new Map<number, { run: () => void; at: number }>();
  const clock: TimerClock = {
    setTimeout: (run, ms) => {
      const id = nextId++;
      timers.set(id, { run, at: time + ms });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
    now: () => time,
  };
  return {
    clock,
    timers,
    /** Moves the time to `to`, running each timer that comes due, in order. */
    advance(to: number) {
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        time = Math.max(time, due[1].at);
        due[1].run();
      }
      time = to;
    },
    /** Runs the timers that are set now, whatever their time (a runtime's timer firing early or late). */
    fireAll(at: number) {
      time = at;
      const set = [...timers];
      timers.clear();
      for (const [, t] of set) t.run();
    },
  };
}

describe("TimerQueue", () => {
  it("waits on one timer, set for the earliest of the times, and calls each callback once, at its time", () => {
    const { clock, timers, advance } = fakeClock();
    const queue = new TimerQueue(clock);
    const calls: string[] = [];
    queue.schedule(() => calls.push("c at 1300"), 1_300);
    queue.schedule(() => calls.push("a at 1100"), 1_100);
    queue.schedule(() => calls.push("b at 1200"), 1_200);
    assert.equal(timers.size, 1);
    assert.equal([...timers.values()][0].at, 1_100, "set again for the earlier time");
    advance(1_150);
    assert.deepEqual(calls, ["a at 1100"]);
    advance(2_000);
    assert.deepEqual(calls, ["a at 1100", "b at 1200", "c at 1300"]);
    assert.equal(timers.size, 0);
    assert.equal(queue.size, 0);
  });

  it("sets no timer for a time later than the one it waits for", () => {
    const { clock, timers } = fakeClock();
    const queue = new TimerQueue(clock);
    queue.schedule(() => {}, 1_100);
    const [first] = timers.keys();
    for (let i = 0; i < 100; i++) queue.schedule(() => {}, 2_000 + i);
    assert.deepEqual([...timers.keys()], [first]);
  });

  it("never calls a cancelled callback, and clears its timer once nothing waits (no process kept alive)", () => {
    const { clock, timers, advance } = fakeClock();
    const queue = new TimerQueue(clock);
    const calls: string[] = [];
    const first = () => calls.push("first");
    const second = () => calls.push("second");
    queue.schedule(first, 1_100);
    queue.schedule(second, 1_200);
    queue.cancel(first);
    assert.equal(timers.size, 1, "the other still waits");
    queue.cancel(second);
    assert.equal(timers.size, 0);
    queue.cancel(second);
    advance(5_000);
    assert.deepEqual(calls, []);
  });

  it("waits again for what is not yet due when its timer fires (the first callback cancelled, a timer early)", () => {
    const { clock, timers, advance, fireAll } = fakeClock();
    const queue = new TimerQueue(clock);
    const calls: number[] = [];
    const early = () => calls.push(1_100);
    queue.schedule(early, 1_100);
    queue.schedule(() => calls.push(1_500), 1_500);
    queue.cancel(early);
    advance(1_100);
    assert.deepEqual(calls, []);
    assert.equal([...timers.values()][0].at, 1_500);
    fireAll(1_499);
    assert.deepEqual(calls, [], "a timer that fires a millisecond early calls nothing");
    advance(1_500);
    assert.deepEqual(calls, [1_500]);
  });

  it("calls the callbacks due in the order of their times, when its timer fires late", () => {
    const { clock, fireAll } = fakeClock();
    const queue = new TimerQueue(clock);
    const calls: string[] = [];
    queue.schedule(() => calls.push("late"), 1_300);
    queue.schedule(() => calls.push("early"), 1_100);
    queue.schedule(() => calls.push("not yet"), 9_000);
    fireAll(2_000);
    assert.deepEqual(calls, ["early", "late"]);
    assert.equal(queue.size, 1);
  });

  it("moves a callback scheduled again, and sees one that a callback schedules", () => {
    const { clock, advance } = fakeClock();
    const queue = new TimerQueue(clock);
    const calls: number[] = [];
    const again = () => {
      calls.push(clock.now());
      if (calls.length < 3) queue.schedule(again, clock.now() + 100);
    };
    queue.schedule(again, 1_050);
    queue.schedule(again, 1_100);
    advance(2_000);
    assert.deepEqual(calls, [1_100, 1_200, 1_300]);
  });

  it("calls the others when a callback throws, and leaves the error uncaught, as a timer of its own would", async () => {
    const { clock, fireAll } = fakeClock();
    const queue = new TimerQueue(clock);
    const calls: string[] = [];
    queue.schedule(() => {
      throw new Error("a bug in a callback");
    }, 1_100);
    queue.schedule(() => calls.push("the other"), 1_200);
    const thrown = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (run) => {
        globalThis.queueMicrotask = original;
        try {
          run();
        } catch (error) {
          resolve(error);
        }
      };
    });
    fireAll(1_300);
    assert.deepEqual(calls, ["the other"]);
    assert.match(String(await thrown), /a bug in a callback/);
  });

  it("runs on the runtime's timers by default", async () => {
    const queue = new TimerQueue();
    const called = new Promise<number>((resolve) =>
      queue.schedule(() => resolve(Date.now()), Date.now() + 10)
    );
    const started = Date.now();
    assert.ok((await called) - started >= 9);
    assert.equal(queue.size, 0);
  });
});
