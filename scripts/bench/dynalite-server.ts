/**
 * dynalite in a process of its own, for the benchmark: dynalite is single-threaded, and in the
 * benchmark's process it would share a thread with s3rver and the stand-ins. Set as
 * src/local/servers.ts sets it (in memory, tables active at once), on 127.0.0.1 at a free port,
 * which it sends its parent over IPC; it answers 'usage' with its CPU time, and ends with its parent.
 *   started by startDynalite (scripts/bench/dynalite.ts)
 */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

if (!process.send) throw new Error('dynalite-server.ts reports its port over IPC: give it an ipc channel');
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', (message) => {
  if (message === 'usage') process.send?.({ usage: process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
