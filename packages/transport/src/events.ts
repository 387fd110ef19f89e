// A tiny typed event emitter. A listener that throws is reported, never allowed to break the caller's loop.

export type Listener<T> = (payload: T) => void;

export interface Emitter<Events> {
  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
}

/** `onListenerError` gets what a listener threw; it must not throw itself. */
export function createEmitter<Events>(onListenerError: (event: keyof Events, cause: unknown) => void): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  return {
    on(event, fn) {
      let set = listeners.get(event);
      if (set === undefined) listeners.set(event, (set = new Set()));
      set.add(fn as Listener<never>);
      return () => {
        set.delete(fn as Listener<never>);
      };
    },
    emit(event, payload) {
      const set = listeners.get(event);
      if (set === undefined) return;
      // Copy: a listener may unsubscribe (itself or another) while we iterate.
      for (const fn of [...set]) {
        try {
          (fn as Listener<typeof payload>)(payload);
        } catch (cause) {
          onListenerError(event, cause);
        }
      }
    },
  };
}
