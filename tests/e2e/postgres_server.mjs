// A throwaway PostgreSQL server for the e2e tests: runs `kindred-test-postgres` (built beside the
// kindred binary from src/store/testing/), which starts initdb + postgres in a temporary
// directory on a free loopback port (as the postgres account when we are root), creates the
// databases asked for and prints one postgresql:// URI per database. Closing its standard input
// stops the server and deletes its directory; so does this process dying.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { kindredBinary } from './harness.mjs';

// initdb and the first start take a second or two here; a loaded CI machine many times that.
const kStartTimeoutMs = 90_000;

export async function startPostgres(databases) {
  const tool = path.join(path.dirname(kindredBinary()), 'kindred-test-postgres');
  if (!existsSync(tool)) throw new Error(`No ${tool}: build it (make build builds every target).`);
  const child = spawn(tool, databases, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const uris = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start in ${kStartTimeoutMs} ms:\n${stderr}`)), kStartTimeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const lines = stdout.split('\n').filter((line) => line.startsWith('postgresql://'));
      if (lines.length === databases.length) {
        clearTimeout(timer);
        resolve(lines);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`kindred-test-postgres exited (${code ?? signal}) before it was ready:\n${stderr}`));
    });
  });
  return {
    uris,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}
