// The benchmark's bookkeeping, for bench/run:
//   node bench/report.mjs assemble --size 10k --manifest F --scenarios F --writes F --bytes F ...  > result.json
//   node bench/report.mjs table result-10k.json result-100k.json ...                                > latest.md
//   node bench/report.mjs readme bench/results/latest.md README.md   (replaces the table between markers)
// assemble turns wrk's raw figures into one JSON document per store size (requests/s, p50, p99,
// errors, ratio to nginx at the same connection count) with the machine it ran on; table writes
// the short Markdown comparison, one column per size, and how each figure changed with size.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

const [command, ...rest] = process.argv.slice(2);

function options(args) {
  const out = {};
  for (let i = 0; i < args.length; i += 2) out[args[i].replace(/^--/, "")] = args[i + 1];
  return out;
}

function readJsonLines(file) {
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

// A tool's output, standard output and error together (nginx -v writes to standard error).
function quiet(command, args) {
  const run = spawnSync(command, args, { encoding: "utf8" });
  return `${run.stdout ?? ""}${run.stderr ?? ""}`.trim();
}

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? "unknown";
  const memKb = Number((readFileSync("/proc/meminfo", "utf8").match(/^MemTotal:\s*(\d+)/m) ?? [])[1] ?? 0);
  return {
    nproc: Number(quiet("nproc", [])),
    cpu_model: model,
    ram_gib: Math.round((memKb / 1048576) * 10) / 10,
    kernel: os.release(),
    wrk: quiet("wrk", ["-v"]).split("\n")[0].replace(/ Copyright.*/, ""),
    nginx: quiet("nginx", ["-v"]).replace(/^nginx version: /, ""),
  };
}

// requests/s and milliseconds from one wrk run; errors are socket errors plus statuses >= 400.
function figures(run) {
  const errors = run.errors_connect + run.errors_read + run.errors_write + run.errors_timeout + run.errors_status;
  return {
    requests_per_second: Math.round((run.requests * 1e6) / run.duration_us),
    p50_ms: run.p50_us / 1000,
    p90_ms: run.p90_us / 1000,
    p99_ms: run.p99_us / 1000,
    max_ms: run.max_us / 1000,
    requests: run.requests,
    errors,
    errors_status: run.errors_status,
    errors_socket: errors - run.errors_status,
  };
}

function assemble(args) {
  const o = options(args);
  const manifest = JSON.parse(readFileSync(o.manifest, "utf8"));
  const runs = readJsonLines(o.scenarios);
  const nginx = new Map(runs.filter((r) => r.name === "nginx_topic").map((r) => [r.connections, figures(r)]));
  const scenarios = runs.map((run) => {
    const f = figures(run);
    const ceiling = nginx.get(run.connections);
    const ratio = run.name !== "nginx_topic" && ceiling ? f.requests_per_second / ceiling.requests_per_second : null;
    return { name: run.name, connections: run.connections, ...f, ratio_to_nginx: ratio && Math.round(ratio * 1000) / 1000 };
  });
  const writes = readJsonLines(o.writes).map((w) => {
    const writers = figures(w.writers);
    const readers = figures(w.readers);
    const seconds = w.writers.duration_us / 1e6;
    return {
      reader_connections: w.reader_connections,
      writer_connections: w.writer_connections,
      target_replies_per_second: w.target_replies_per_second,
      replies_per_second: Math.round((w.writers.requests - w.writers.errors_status) / seconds),
      replies_committed: w.replies_committed,
      committed_per_second: Math.round(w.replies_committed / seconds),
      writer_p50_ms: writers.p50_ms,
      writer_p99_ms: writers.p99_ms,
      writer_errors: writers.errors,
      readers,
    };
  });
  const result = {
    date: new Date().toISOString(),
    size: o.size,
    machine: machine(),
    kindred: {
      binary: o.bin,
      build_type: "Release",
      threads: Number(o.threads),
      commit: quiet("git", ["rev-parse", "--short", "HEAD"]) + (quiet("git", ["status", "--porcelain", "src"]) ? "+changes" : ""),
    },
    duration: o.duration,
    dataset: manifest,
    index_build_seconds: Number(o["index-ms"]) / 1000,
    start_to_first_page_ms: Number(o["start-ms"]),
    memory: {
      idle_rss_mb: Math.round(Number(o["idle-rss-kb"]) / 102.4) / 10,
      peak_rss_under_load_mb: Math.round(Number(o["peak-rss-kb"]) / 102.4) / 10,
      vm_hwm_mb: Math.round(Number(o["hwm-kb"]) / 102.4) / 10,
    },
    topic_page_bytes: JSON.parse(readFileSync(o.bytes, "utf8")),
    scenarios,
    writes,
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

const labels = {
  topic_anonymous: "topic page, anonymous",
  topic_signed_in: "topic page, signed in",
  home: "home page",
  category: "category page",
  search_common: "search, common word",
  search_rare: "search, rare word",
  search_misspelled: "search, misspelled word",
  similar_api: "similar-question API, the same question again",
  similar_api_varied: "similar-question API, a different question each time",
  nginx_topic: "nginx, the same topic page as a static file",
};

const n = (x) => Math.round(x).toLocaleString("en-GB");
const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const mb = (x) => `${x.toFixed(1)} MB`;

function table(files) {
  const results = files.map((f) => JSON.parse(readFileSync(f, "utf8")));
  if (results.length === 0) return "";
  const sizes = results.map((r) => r.size);
  const m = results[0].machine;
  const lines = [];
  const row = (cells) => lines.push(`| ${cells.join(" | ")} |`);
  lines.push(
    `Measured ${results[0].date.slice(0, 10)} on ${m.nproc} cores (${m.cpu_model}), ${m.ram_gib} GiB RAM, Linux ${m.kernel}; ` +
      `Kindred ${results[0].kindred.commit} (Release, ${results[0].kindred.threads} threads) and ${m.nginx}, ` +
      `driven by ${m.wrk} on the same machine over loopback, ${results[0].duration} per figure.`,
  );
  lines.push("");
  lines.push("Requests/s (ratio to nginx serving the same topic page's bytes at the same connection count), p99:");
  lines.push("");
  row(["", "connections", ...sizes.map((s) => `${s} posts`)]);
  row(["---", "---:", ...sizes.map(() => "---")]);
  const keys = [...new Set(results.flatMap((r) => r.scenarios.map((s) => `${s.name}@${s.connections}`)))];
  for (const key of keys) {
    const [name, c] = key.split("@");
    const cells = results.map((r) => {
      const s = r.scenarios.find((x) => x.name === name && String(x.connections) === c);
      if (!s) return "";
      const ratio = s.ratio_to_nginx == null ? "" : ` (${s.ratio_to_nginx.toFixed(s.ratio_to_nginx < 0.1 ? 3 : 2)}×)`;
      const errors = s.errors ? `, **${n(s.errors)} errors**` : "";
      return `${n(s.requests_per_second)}/s${ratio}, p99 ${ms(s.p99_ms)} ms${errors}`;
    });
    row([labels[name] ?? name, c, ...cells]);
  }
  // One row per schedule: the rate aimed at, on how many writer connections, beside how many readers.
  const writeKey = (w) => `${w.target_replies_per_second}/${w.writer_connections}/${w.reader_connections}`;
  const writeRows = new Map(results.flatMap((r) => r.writes.map((w) => [writeKey(w), w])));
  for (const [key, sample] of writeRows) {
    row([
      `replies while others read (${sample.writer_connections} writers, aiming at ${n(sample.target_replies_per_second)}/s)`,
      sample.reader_connections,
      ...results.map((r) => {
        const w = r.writes.find((x) => writeKey(x) === key);
        if (!w) return "";
        const errors = w.writer_errors + w.readers.errors;
        return `${n(w.committed_per_second)} replies/s committed, p99 ${ms(w.writer_p99_ms)} ms; ` +
          `readers ${n(w.readers.requests_per_second)}/s, p99 ${ms(w.readers.p99_ms)} ms` +
          (errors ? `, **${n(errors)} errors**` : "");
      }),
    ]);
  }
  lines.push("");
  lines.push("Other figures:");
  lines.push("");
  row(["", ...sizes]);
  row(["---", ...sizes.map(() => "---")]);
  const bytes = (r, pick) => r.topic_page_bytes.reduce((sum, b) => sum + pick(b), 0);
  const others = [
    ["store", (r) => `${n(r.dataset.posts)} posts, ${n(r.dataset.topics)} topics, ${n(r.dataset.users)} members, ${n(r.dataset.reactions)} reactions`],
    ["search index build (`kindred reindex`)", (r) => `${r.index_build_seconds.toFixed(1)} s`],
    ["start to first served page", (r) => `${n(r.start_to_first_page_ms)} ms`],
    ["resident memory, idle", (r) => mb(r.memory.idle_rss_mb)],
    // VmHWM also holds the set-up: signing the benchmark's members in hashes their passwords
    // with argon2id, which takes 64 MiB for a moment each time.
    ["resident memory, peak under load (VmHWM: since start, set-up included)", (r) => `${mb(r.memory.peak_rss_under_load_mb)} (VmHWM ${mb(r.memory.vm_hwm_mb)})`],
    ["topic page over the wire (HTML+CSS+JS, as sent)", (r) =>
      `${n(bytes(r, (b) => b.with_accept_gzip_bytes))} B (` +
      r.topic_page_bytes.map((b) => `${b.path.startsWith("/t/") ? "HTML" : b.path.endsWith(".css") || b.path.includes(".css") ? "CSS" : "JS"} ${n(b.with_accept_gzip_bytes)} ${b.content_encoding}`).join(", ") + ")"],
    ["the same if gzipped (gzip -9)", (r) => `${n(bytes(r, (b) => b.if_gzipped_bytes))} B`],
  ];
  for (const [label, f] of others) row([label, ...results.map(f)]);

  if (results.length > 1) {
    const first = results[0];
    const last = results[results.length - 1];
    lines.push("");
    lines.push(`How figures change from ${first.size} to ${last.size} posts (${last.size} ÷ ${first.size}; the issue asks for the pages and search to stay within 1.5× of their cost):`);
    lines.push("");
    row(["", "connections", `requests/s ${last.size} ÷ ${first.size}`, `p99 ${last.size} ÷ ${first.size}`]);
    row(["---", "---:", "---:", "---:"]);
    for (const a of first.scenarios) {
      const b = last.scenarios.find((x) => x.name === a.name && x.connections === a.connections);
      if (!b) continue;
      row([labels[a.name] ?? a.name, a.connections, (b.requests_per_second / a.requests_per_second).toFixed(2), (b.p99_ms / a.p99_ms).toFixed(2)]);
    }
    row(["search index build", "", "", `${(last.index_build_seconds / first.index_build_seconds).toFixed(1)}× the time`]);
    row(["resident memory idle", "", "", `${(last.memory.idle_rss_mb / first.memory.idle_rss_mb).toFixed(2)}×`]);
    row(["start to first page", "", "", `${(last.start_to_first_page_ms / Math.max(1, first.start_to_first_page_ms)).toFixed(2)}×`]);
  }
  return lines.join("\n") + "\n";
}

// Replaces what lies between <!-- bench:begin --> and <!-- bench:end --> in the README.
function readme(latest, file) {
  const text = readFileSync(file, "utf8");
  const begin = "<!-- bench:begin -->";
  const end = "<!-- bench:end -->";
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file} has no ${begin} ... ${end} section`);
  writeFileSync(file, text.slice(0, i + begin.length) + "\n" + readFileSync(latest, "utf8") + text.slice(j));
}

if (command === "assemble") assemble(rest);
else if (command === "table") process.stdout.write(table(rest));
else if (command === "readme") readme(rest[0], rest[1]);
else {
  console.error("usage: report.mjs assemble|table|readme ...");
  process.exit(2);
}
