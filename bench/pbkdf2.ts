// PBKDF2 benchmark entry point for Deno and Bun (`deno run -A bench/pbkdf2.ts`, `bun bench/pbkdf2.ts`).
// The benchmark itself is plain JavaScript in pbkdf2.mjs so that Node 20 runs the same code:
// `node bench/pbkdf2.mjs`.
import "./pbkdf2.mjs";
