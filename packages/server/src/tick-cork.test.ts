import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { corkUntilTickEnd } from './tick-cork.js';

/** A duplex that records each write it is handed: one entry per underlying write, with its chunks. */
function recordingSocket(): { socket: Duplex; writes: string[][] } {
  const writes: string[][] = [];
  const socket = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      writes.push([String(chunk)]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map((c) => String(c.chunk)));
      done();
    },
  });
  return { socket, writes };
}

describe('corkUntilTickEnd', () => {
  it('sends the frames written in one tick, promise jobs included, as one write per socket', async () => {
    const a = recordingSocket();
    const b = recordingSocket();
    const send = (s: Duplex, text: string) => {
      corkUntilTickEnd(s);
      s.write(text);
    };
    await Promise.resolve().then(() => {
      send(a.socket, 'ack');
      void Promise.resolve().then(() => {
        send(a.socket, 'echo');
        send(b.socket, 'peer');
      });
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.writes).toEqual([['ack', 'echo']]);
    expect(b.writes).toEqual([['peer']]);
  });

  it('leaves the socket uncorked after the tick, so later writes are not held', async () => {
    const a = recordingSocket();
    corkUntilTickEnd(a.socket);
    a.socket.write('first');
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.socket.writableCorked).toBe(0);
    a.socket.write('second');
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.writes).toEqual([['first'], ['second']]);
  });
});
