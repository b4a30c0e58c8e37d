import net from 'node:net';

/**
 * Clients that misbehave on purpose, for the slow-clients tests and the hostile benchmark: raw
 * sockets that send a request head and then trickle the body one byte at a time, never finishing.
 */

export interface Answer {
  /** The HTTP status the server answered, or 0 when it closed the socket without one. */
  status: number;
  ms: number;
  text: string;
}

/** A raw socket that sends `head` and then one byte of body every `everyMs`, never finishing. */
export function trickle(url: string, head: string, everyMs = 200) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  const started = performance.now();
  let text = '';
  const answered = new Promise<Answer>((resolve) => {
    socket.on('data', (c) => {
      text += c;
      const m = /^HTTP\/1\.1 (\d{3})[\s\S]*?\r\n\r\n[\s\S]*\}/.exec(text);
      if (m) resolve({ status: Number(m[1]), ms: performance.now() - started, text });
    });
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), ms: performance.now() - started, text }),
    );
  });
  socket.write(head);
  const timer = setInterval(() => socket.writable && socket.write(' '), everyMs);
  return { answered, close: () => (clearInterval(timer), socket.destroy()) };
}

/** The head of a JSON document sync announcing a 100 kB body, with the body's first byte. */
export const syncHead = (url: string, docId: string, authorization?: string) =>
  `POST /api/v1/sync/${docId} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n` +
  (authorization ? `Authorization: ${authorization}\r\n` : '') +
  '\r\n{';

/** The answer, or status -1 when none came within `ms`. */
export const within = (p: Promise<Answer>, ms: number) =>
  Promise.race([p, new Promise<Answer>((r) => setTimeout(() => r({ status: -1, ms, text: '' }), ms))]);
