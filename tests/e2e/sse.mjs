// A minimal EventSource for the e2e tests (the live-update and cluster tests): reads a
// text/event-stream response into events and lets a test wait for a number of them.
import http from 'node:http';

// The promise: a reader sees a reply within 2 seconds of it being written.
const kLiveWithinMs = 2000;

// A minimal EventSource for tests: {status, headers, events: [{id, event, data}], waitFor, close, ended}.
export function openStream(url, { headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (response) => {
      const stream = {
        status: response.statusCode,
        headers: response.headers,
        events: [],
        body: '',
        ended: false,
        waiters: [],
        close() {
          request.destroy();
        },
        // Resolves with the events once there are at least `count`; rejects after `timeoutMs`.
        waitFor(count, timeoutMs = kLiveWithinMs) {
          if (stream.events.length >= count) return Promise.resolve(stream.events.slice());
          return new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error(
              `expected ${count} events within ${timeoutMs} ms, got ${stream.events.length}: ${JSON.stringify(stream.events)}`)), timeoutMs);
            stream.waiters.push({ count, done: (events) => { clearTimeout(timer); done(events); } });
          });
        },
        endedPromise: null,
      };
      stream.endedPromise = new Promise((done) => response.on('close', () => { stream.ended = true; done(); }));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        stream.body += chunk;
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { id: null, event: 'message', data: [] };
          let any = false;
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon === 0) continue;  // a comment
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') { event.id = value; any = true; }
            if (field === 'event') { event.event = value; any = true; }
            if (field === 'data') { event.data.push(value); any = true; }
          }
          if (!any || (event.data.length === 0 && event.id === null)) continue;  // retry field alone
          event.data = event.data.join('\n');
          stream.events.push(event);
        }
        stream.waiters = stream.waiters.filter((waiter) => {
          if (stream.events.length < waiter.count) return true;
          waiter.done(stream.events.slice());
          return false;
        });
      });
      resolve(stream);
    });
    request.on('error', (error) => {
      if (error.code !== 'ECONNRESET') reject(error);
    });
  });
}

