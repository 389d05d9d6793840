// Source 2 of the AWS credential chain (src/mechanisms/aws/credentials/source-env.ts) on its own, through
// the chain: what it reads, what it sends, how it fails. Every env is injected and every fetch loopback.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { testEnv } from "../../../support/aws-fakes.ts";
import { rejectsWith, resolve } from "../../../support/aws-sources.ts";

describe("source 2: environment variables", () => {
  it("reads the keys and the session token", async () => {
    const found = await resolve(
      testEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "SECRET", AWS_SESSION_TOKEN: "TOK" }),
    );
    assert.deepEqual(found.credentials, {
      accessKeyId: "AKID",
      secretAccessKey: "SECRET",
      sessionToken: "TOK",
    });
    assert.equal(found.source, "environment variables");
    assert.equal(found.temporary, false);
  });

  it("refuses one key without the other, naming the variable and not the value", async () => {
    await rejectsWith(resolve(testEnv({ AWS_ACCESS_KEY_ID: "AKIDONLY" })), /AWS_SECRET_ACCESS_KEY is not/, [
      "AKIDONLY",
    ]);
    await rejectsWith(resolve(testEnv({ AWS_SECRET_ACCESS_KEY: "SECRETONLY" })), /AWS_ACCESS_KEY_ID is not/, [
      "SECRETONLY",
    ]);
  });
});
