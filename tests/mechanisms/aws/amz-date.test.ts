// SigV4's X-Amz-Date format, from the injected clock.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { amzDate } from "../../../src/mechanisms/aws/amz-date.ts";

describe("amzDate", () => {
  it("formats as YYYYMMDD'T'HHMMSS'Z' in UTC (the AWS SigV4 example's time)", () => {
    assert.equal(amzDate(Date.UTC(2015, 7, 30, 12, 36, 0)), "20150830T123600Z");
  });

  it("drops the milliseconds rather than rounding them", () => {
    assert.equal(amzDate(Date.UTC(2019, 10, 7, 0, 26, 7, 999)), "20191107T002607Z");
  });

  it("pads every field to its width", () => {
    assert.equal(amzDate(Date.UTC(2001, 0, 2, 3, 4, 5)), "20010102T030405Z");
    assert.equal(amzDate(0), "19700101T000000Z");
  });

  it("is always 16 characters of the SigV4 shape", () => {
    for (const ms of [0, 1, 1_700_000_000_123, Date.UTC(2099, 11, 31, 23, 59, 59, 999)]) {
      assert.match(amzDate(ms), /^\d{8}T\d{6}Z$/, String(ms));
    }
  });
});
