// Every `whoami` command the README and docs/ show in a shell block is one the CLI takes as written: it gets
// past the command line (no usage error, exit 2) to connect(), with a connection string. The commands are
// read with a shell's quoting rules, continuation lines joined; what runs them (npx, deno run, bunx, npm run,
// deno task) is left out, down to `whoami`; a "…" the reader fills in is filled with a host.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Connection, ConnectOptions, OidcCallback } from "@mongo-auth/core";
import { cliMain } from "../../src/cli/main.ts";
import { allCodeBlocks } from "./blocks.ts";

/** The words of one shell command line: quotes removed, `$(…)` and `# comments` as a shell leaves them. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? "") + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= "";
    } else if (c === "#" && word === undefined) {
      break;
    } else if (c === " ") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The `whoami` commands of the shell blocks: each as the CLI's arguments, and where it stands. */
function documentedCommands(): { where: string; args: string[] }[] {
  const commands: { where: string; args: string[] }[] = [];
  for (const block of allCodeBlocks().filter((b) => b.lang === "sh" || b.lang === "bash")) {
    for (const line of block.code.replace(/\\\n\s*/g, "").split("\n")) {
      const words = shellWords(line);
      const at = words.indexOf("whoami");
      if (at < 0) continue;
      const rest = words.slice(at + 1).map((word) =>
        word === "…" ? "mongodb://db.example.net/" : word.replaceAll("…", "db.example.net")
      );
      commands.push({
        where: `${block.file}:${block.line}: ${line.trim()}`,
        args: ["whoami", ...(rest[0] === "--" ? rest.slice(1) : rest)],
      });
    }
  }
  return commands;
}

const connection = {
  address: "127.0.0.1:27017",
  role: "primary",
  trace: [],
  handshake: { mechanism: "SCRAM-SHA-256", speculative: true, roundTrips: 2, durationMs: 1 },
  command: () =>
    Promise.resolve({ ok: 1, authInfo: { authenticatedUsers: [{ user: "alice", db: "admin" }] } }),
  close: () => Promise.resolve(),
} as unknown as Connection;

describe("docs: the whoami commands shown", () => {
  it("are many: the README's, the command line's page, the troubleshooting page's", () => {
    const files = new Set(documentedCommands().map(({ where }) => where.split(":")[0]));
    for (const file of ["README.md", "docs/cli.md", "docs/troubleshooting.md"]) {
      assert.ok(files.has(file), file);
    }
  });

  it("each gets past the command line to connect(), with a connection string", async () => {
    for (const { where, args } of documentedCommands()) {
      const errors: string[] = [];
      const reached: [string, ConnectOptions | undefined][] = [];
      const code = await cliMain(
        {
          args,
          out: () => {},
          err: (line) => errors.push(line),
          getEnv: (name) => (name === "MONGODB_URI" ? "mongodb://alice:pw@db.example.net/" : undefined),
          readSecret: () => Promise.resolve("typed"),
          signIn: () => (() => Promise.reject(new Error("no sign-in here"))) as OidcCallback,
        },
        (uri, options) => (reached.push([uri, options]), Promise.resolve(connection)),
      );
      assert.equal(code, 0, `${where}\n${errors.join("\n")}`);
      assert.equal(reached.length, 1, where);
      assert.match(reached[0][0], /^mongodb(\+srv)?:\/\//, where);
    }
  });
});
