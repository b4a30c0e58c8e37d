import type { Server } from 'node:http';

/** Graceful: no new connections, idle keep-alives closed now, busy ones when their request ends or at the deadline. */
export async function shutdown(server: Server, timeoutMs: number, closeStores: () => Promise<void>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Connections that finish their in-flight request are closed instead of kept alive.
  server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
  const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  try {
    await closed;
  } finally {
    clearTimeout(deadline);
    clearInterval(sweeper);
  }
  await closeStores();
}
