// Source 4 for profiles with credential_process (src/mechanisms/aws/credentials/source-process.ts),
// through the chain: the command the profile names, run by the env's runCommand (the real shell in the
// first tests, a stand-in where a test needs a command to misbehave), the AWS CLI's JSON format, the
// cache, and every way it fails without showing the keys or the command line.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { MongoAuthError } from "../../../../src/core/errors.ts";
import { AwsCredentialCache } from "../../../../src/mechanisms/aws/credentials/cache.ts";
import { resolveAwsCredentials } from "../../../../src/mechanisms/aws/credentials/chain.ts";
import { PROCESS_TIMEOUT_MS } from "../../../../src/mechanisms/aws/credentials/source-process.ts";
import { runShellCommand } from "../../../../src/transport/run-command.ts";
import type { CommandResult, RuntimeEnv } from "../../../../src/core/runtime-env.ts";
import { startFakeSts, tempCredentials, testEnv } from "../../../support/aws-fakes.ts";
import { cleanups, HOUR, NOW, rejectsWith, resolve } from "../../../support/aws-sources.ts";

const { track, home, close } = cleanups();
after(close);

const printed = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: 1,
    AccessKeyId: "ASIAPROCESS",
    SecretAccessKey: "process-SECRET",
    SessionToken: "process-token",
    Expiration: new Date(NOW + HOUR).toISOString(),
    ...extra,
  });

/** A profile "tool" whose credential_process prints `output` (a file `cat` reads) through the real shell. */
function toolHome(output: string, config = "") {
  const h = home({ "creds.json": output });
  const withConfig = home({
    ".aws/config": `[profile tool]\ncredential_process = cat '${h.path("creds.json")}'\n${config}`,
  });
  return withConfig.home;
}

const resolveWith = (env: RuntimeEnv, signal: AbortSignal) =>
  resolveAwsCredentials({ env, cache: new AwsCredentialCache(), signal });

/** A runCommand that answers every command with `result` (or runs `behave`), recording the command lines. */
function standIn(behave: (signal: AbortSignal) => Promise<CommandResult>) {
  const commands: string[] = [];
  const runCommand: RuntimeEnv["runCommand"] = (command, { signal }) => {
    commands.push(command);
    return behave(signal);
  };
  return { commands, runCommand };
}

describe("source 4: a profile's credential_process", () => {
  it("runs the command through the shell and takes the credentials it prints, cached until they near expiry", async () => {
    const env = testEnv({ AWS_PROFILE: "tool" }, {
      home: toolHome(printed()),
      now: () => NOW,
      runCommand: runShellCommand,
    });
    const cache = new AwsCredentialCache();
    const found = await resolve(env, cache);
    assert.deepEqual(found.credentials, {
      accessKeyId: "ASIAPROCESS",
      secretAccessKey: "process-SECRET",
      sessionToken: "process-token",
      expiration: new Date(NOW + HOUR),
    });
    assert.equal(found.source, 'credential_process of profile "tool" of the shared AWS files');
    assert.equal((await resolve(env, cache)).fromCache, true);
  });

  it("takes long-lived keys without SessionToken or Expiration", async () => {
    const output = JSON.stringify({ Version: 1, AccessKeyId: "AKIDLONG", SecretAccessKey: "long-secret" });
    const env = testEnv({ AWS_PROFILE: "tool" }, { home: toolHome(output), runCommand: runShellCommand });
    assert.deepEqual((await resolve(env)).credentials, {
      accessKeyId: "AKIDLONG",
      secretAccessKey: "long-secret",
    });
  });

  it("refuses what is not Version 1 credentials, or expired ones, without quoting the output", async () => {
    const cases: [string, RegExp][] = [
      ["not json process-SECRET", /it did not print JSON$/],
      [printed({ Version: 2 }), /did not print Version 1 credentials/],
      [printed({ SecretAccessKey: undefined }), /lack accessKeyId or secretAccessKey/],
      [printed({ Expiration: "soon" }), /expiration is not a valid date/],
      [
        printed({ Expiration: new Date(NOW - 1).toISOString() }),
        /printed credentials that expired at 2024-01-15T11:59:59\.999Z/,
      ],
    ];
    for (const [output, message] of cases) {
      const env = testEnv({ AWS_PROFILE: "tool" }, {
        home: toolHome(output),
        now: () => NOW,
        runCommand: runShellCommand,
      });
      await rejectsWith(resolve(env), message, ["process-SECRET"]);
    }
  });

  it("reports a failing command by its exit code and what it wrote to standard error, never its command line", async () => {
    const h = home({ ".aws/config": "[profile tool]\ncredential_process = helper --password hunter2\n" });
    const { commands, runCommand } = standIn(() =>
      Promise.resolve({ exitCode: 2, stdout: "", stderr: "session expired: sign in again\n" })
    );
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "tool" }, { home: h.home, runCommand })),
      /credential_process of profile "tool".*exited with code 2: session expired: sign in again$/,
      ["hunter2"],
    );
    assert.deepEqual(commands, ["helper --password hunter2"]);
    // Through the real runner too: its error for too much output is the cause, and keeps no command line.
    const chatty = home({ ".aws/config": "[profile tool]\ncredential_process = yes hunter2\n" });
    await assert.rejects(
      resolve(testEnv({ AWS_PROFILE: "tool" }, { home: chatty.home, runCommand: runShellCommand })),
      (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.match(err.message, /cannot run it: stdout maxBuffer length exceeded/);
        assert.doesNotMatch(inspect(err, { depth: 5 }), /hunter2/);
        return true;
      },
    );
    const killed = standIn(() => Promise.resolve({ exitCode: null, stdout: "", stderr: "" }));
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "tool" }, { home: h.home, runCommand: killed.runCommand })),
      /was ended by a signal and wrote nothing to standard error$/,
    );
  });

  it("stops a command that runs past its 60 s, and follows the caller's signal, even if runCommand does not", async () => {
    const h = home({ ".aws/config": "[profile tool]\ncredential_process = wait-forever\n" });
    // A runCommand that ignores its signal still settles: the source races it.
    const { runCommand } = standIn(() => new Promise<never>(() => {}));
    const env = testEnv({ AWS_PROFILE: "tool" }, { home: h.home, runCommand });
    // The 60 s, shortened: AbortSignal.timeout is what bounds it, so a stand-in that fires at once is asked for.
    const timeout = AbortSignal.timeout;
    const asked: number[] = [];
    // Node.js does not wait for AbortSignal.timeout's timer, and nothing else here is pending.
    const keepAlive = setInterval(() => {}, 1_000);
    try {
      AbortSignal.timeout = (ms: number) => {
        asked.push(ms);
        return timeout.call(AbortSignal, 10);
      };
      await rejectsWith(resolve(env), /credential_process of profile "tool".*did not finish within 60 s$/);
      AbortSignal.timeout = timeout;
      assert.ok(asked.includes(PROCESS_TIMEOUT_MS) && PROCESS_TIMEOUT_MS === 60_000, String(asked));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(resolveWith(env, controller.signal), { code: "ABORTED" });
    } finally {
      AbortSignal.timeout = timeout;
      clearInterval(keepAlive);
    }
  });

  it("needs a runtime env that runs commands, and says so", async () => {
    const h = home({ ".aws/config": "[profile tool]\ncredential_process = helper\n" });
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "tool" }, { home: h.home })),
      /this runtime env runs no commands: pass runCommand in the runtime env, or the credentials as AWS_CREDENTIAL_PROVIDER/,
    );
    const { runCommand } = standIn(() => Promise.reject(new Error('Requires run access to "/bin/sh"')));
    await rejectsWith(
      resolve(testEnv({ AWS_PROFILE: "tool" }, { home: h.home, runCommand })),
      /cannot run it: Requires run access/,
    );
  });

  it("is the source profile of a role: AssumeRole is signed with the credentials it prints", async () => {
    const creds = tempCredentials("role", NOW + HOUR);
    const sts = await track(startFakeSts({ credentials: creds, signedBy: "ASIAPROCESS" }));
    const env = testEnv({ AWS_PROFILE: "app", AWS_ENDPOINT_URL_STS: sts.url }, {
      home: toolHome(printed(), "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = tool\n"),
      now: () => NOW,
      runCommand: runShellCommand,
    });
    assert.equal((await resolve(env)).credentials.accessKeyId, creds.AccessKeyId);
    assert.equal(sts.requests.length, 1);
  });
});
