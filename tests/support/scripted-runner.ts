// A CommandRunner that plays the server from a script: it records every command with its database and
// answers each with what the script returns (a thrown error is the server's error).
import type { CommandRunner, Document } from "../../src/wire/command.ts";

export interface ScriptedRunner extends CommandRunner {
  /** Every command sent, in order. */
  readonly sent: { db: string; cmd: Document }[];
}

export function scriptedRunner(answer: (db: string, cmd: Document) => Document): ScriptedRunner {
  const sent: { db: string; cmd: Document }[] = [];
  return {
    sent,
    command(db: string, cmd: Document) {
      sent.push({ db, cmd });
      try {
        return Promise.resolve(answer(db, cmd));
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}
