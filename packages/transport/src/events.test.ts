import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from './events.js';

describe('createEmitter', () => {
  it('calls listeners in order and unsubscribes', () => {
    const emitter = createEmitter<{ n: number }>(() => {});
    const seen: number[] = [];
    const off = emitter.on('n', (v) => seen.push(v));
    emitter.on('n', (v) => seen.push(v * 10));
    emitter.emit('n', 1);
    off();
    emitter.emit('n', 2);
    expect(seen).toEqual([1, 10, 20]);
  });

  it('reports a throwing listener and still calls the next one', () => {
    const onError = vi.fn();
    const emitter = createEmitter<{ n: number }>(onError);
    const boom = new Error('boom');
    const after = vi.fn();
    emitter.on('n', () => {
      throw boom;
    });
    emitter.on('n', after);
    emitter.emit('n', 1);
    expect(onError).toHaveBeenCalledWith('n', boom);
    expect(after).toHaveBeenCalledWith(1);
  });
});
