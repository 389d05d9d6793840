// readTlsFile: a TLS file read again for every connection, decoded and hashed only when its bytes changed.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cwd } from "node:process";
import { readTlsFile } from "../../src/transport/tls-files.ts";

function withDirectory(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mongo-auth-tls-files-"));
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe("readTlsFile", () => {
  it("reads the file at every call; the same bytes give the same content, other bytes a new one", async () => {
    await withDirectory(async (dir) => {
      const path = join(dir, "ca.pem");
      writeFileSync(path, "first");
      const first = await readTlsFile(path, "tlsCAFile");
      assert.equal(first.text, "first");
      assert.equal(await readTlsFile(path, "tlsCAFile"), first);
      writeFileSync(path, "second");
      const second = await readTlsFile(path, "tlsCAFile");
      assert.equal(second.text, "second");
      assert.notEqual(second.digest, first.digest);
      writeFileSync(path, "first");
      const again = await readTlsFile(path, "tlsCAFile");
      assert.equal(again.text, "first");
      assert.equal(again.digest, first.digest);
    });
  });

  it("calls made together share one read", async () => {
    await withDirectory(async (dir) => {
      const path = join(dir, "crl.pem");
      writeFileSync(path, "lists");
      const reads = await Promise.all(Array.from({ length: 5 }, () => readTlsFile(path, "tlsCRLFile")));
      for (const read of reads) assert.equal(read, reads[0]);
    });
  });

  it("a file that cannot be read is TLS_ERROR naming the path and each caller's own option", async () => {
    await withDirectory(async (dir) => {
      const path = join(dir, "missing.pem");
      const [ca, crl] = await Promise.allSettled([
        readTlsFile(path, "tlsCAFile"),
        readTlsFile(path, "tlsCRLFile"),
      ]);
      for (const [result, option] of [[ca, "tlsCAFile"], [crl, "tlsCRLFile"]] as const) {
        assert.equal(result.status, "rejected");
        assert.equal(result.reason.code, "TLS_ERROR");
        assert.match(
          result.reason.message,
          new RegExp(`^cannot read ${option} ${path.replace(/\W/g, "\\$&")}: `),
        );
      }
    });
  });

  it("a relative path that names no file says the working directory it was read from; an absolute one does not", async () => {
    const relative = "no-such-dir-here/ca.pem";
    await assert.rejects(readTlsFile(relative, "tlsCAFile"), {
      code: "TLS_ERROR",
      message: new RegExp(
        "^cannot read tlsCAFile no-such-dir-here/ca\\.pem: ENOENT[^(]*\\(a relative path is read from the " +
          `working directory, here ${cwd().replace(/\W/g, "\\$&")}\\)$`,
      ),
    });
    await withDirectory(async (dir) => {
      const absolute = join(dir, "missing.pem");
      const err = await readTlsFile(absolute, "tlsCAFile").catch((err) => err);
      assert.equal(err.code, "TLS_ERROR");
      assert.doesNotMatch(err.message, /working directory/);
    });
  });
});
