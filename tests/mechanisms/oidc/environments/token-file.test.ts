// Reading an access token from a file, shared by ENVIRONMENT:k8s and ENVIRONMENT:test (their own tests
// are k8s.test.ts and oidc-token-file.test.ts): the token without surrounding whitespace, and a coded
// error naming the environment and the file when there is no reader, no file or no token.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readTokenFile } from "../../../../src/mechanisms/oidc/environments/token-file.ts";

const noVars = () => undefined;

describe("readTokenFile", () => {
  it("returns the file's text without surrounding whitespace", async () => {
    for (const text of ["eyJ.a.b", "eyJ.a.b\n", "  eyJ.a.b\r\n\n", "\teyJ.a.b "]) {
      const env = { getEnv: noVars, readTextFile: () => Promise.resolve(text) };
      assert.equal(await readTokenFile(env, "/token", "ENVIRONMENT:k8s"), "eyJ.a.b", JSON.stringify(text));
    }
  });

  it("reads the path it is given", async () => {
    const read: string[] = [];
    const env = { getEnv: noVars, readTextFile: (path: string) => (read.push(path), Promise.resolve("t")) };
    await readTokenFile(env, "/var/run/token", "ENVIRONMENT:k8s");
    assert.deepEqual(read, ["/var/run/token"]);
  });

  it("is RUNTIME_UNSUPPORTED without a file reader, saying what to pass instead", async () => {
    await assert.rejects(readTokenFile({ getEnv: noVars }, "/token", "ENVIRONMENT:k8s (default path)"), {
      code: "RUNTIME_UNSUPPORTED",
      message:
        "MONGODB-OIDC ENVIRONMENT:k8s (default path) reads a token file, but this runtime environment " +
        "has no readTextFile; pass one in the RuntimeEnv or use OIDC_CALLBACK",
    });
  });

  it("names the source, the file and the reader's reason when it cannot be read, keeping the cause", async () => {
    const denied = new Error("EACCES: permission denied");
    const env = { getEnv: noVars, readTextFile: () => Promise.reject(denied) };
    await assert.rejects(
      readTokenFile(env, "/token", "ENVIRONMENT:test (OIDC_TOKEN_FILE)"),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
        assert.equal(
          err.message,
          "MONGODB-OIDC ENVIRONMENT:test (OIDC_TOKEN_FILE): cannot read token file /token: EACCES: permission denied",
        );
        assert.equal(err.cause, denied);
        return true;
      },
    );
    const thrownString = { getEnv: noVars, readTextFile: () => Promise.reject("gone") };
    await assert.rejects(readTokenFile(thrownString, "/token", "ENVIRONMENT:k8s"), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: /cannot read token file \/token: gone$/,
    });
  });

  it("refuses a file with nothing but whitespace", async () => {
    for (const text of ["", "\n", " \r\n\t"]) {
      const env = { getEnv: noVars, readTextFile: () => Promise.resolve(text) };
      await assert.rejects(readTokenFile(env, "/token", "ENVIRONMENT:k8s"), {
        code: "CREDENTIAL_PROVIDER_ERROR",
        message: "MONGODB-OIDC ENVIRONMENT:k8s: token file /token is empty",
      });
    }
  });
});
