// The client half of bench/sse-idle: opens the streams, reads the server's VmRSS from
// /proc/PID/status, and times one reply's fan-out. Loopback only.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [base, pid, countText] = process.argv.slice(2);
const count = Number(countText);
const url = new URL(base);
if (url.hostname !== '127.0.0.1') throw new Error('loopback only');

const rssKiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function open() {
  return new Promise((resolve, reject) => {
    const request = http.get(`${base}/t/1/events`, { agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`));
      const stream = { request, onReply: null };
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        if (chunk.includes('event: reply') && stream.onReply) stream.onReply();
      });
      resolve(stream);
    });
    request.on('error', reject);
  });
}

async function api(method, path, body, token) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

await sleep(500);
const before = rssKiB();
const streams = [];
// In batches, as pages opening over a few seconds would, not one burst the accept queue drops.
for (let i = 0; i < count; i += 50) {
  const batch = [];
  for (let j = i; j < Math.min(count, i + 50); j++) batch.push(open());
  streams.push(...(await Promise.all(batch)));
}
await sleep(2000);  // let the hub start every stream and the allocator settle
const after = rssKiB();
console.log(`${count} idle SSE streams: VmRSS before ${(before / 1024).toFixed(1)} MiB, after ${(after / 1024).toFixed(1)} MiB, ` +
  `${(((after - before) * 1024) / count / 1024).toFixed(1)} KiB per stream`);

const { token } = await api('POST', '/api/v1/sessions', { username: 'benchadmin', password: 'a calm long password' });
let reached = 0;
const started = Date.now();
const all = new Promise((resolve) => {
  for (const stream of streams) {
    stream.onReply = () => {
      stream.onReply = null;
      if (++reached === count) resolve();
    };
  }
});
await api('POST', '/api/v1/topics/1/posts', { body: 'A reply for every open page.' }, token);
await Promise.race([all, sleep(10_000)]);
console.log(`one reply reached ${reached} of ${count} streams in ${Date.now() - started} ms`);
for (const stream of streams) stream.request.destroy();
process.exit(0);
