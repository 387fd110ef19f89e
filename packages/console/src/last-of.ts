// `Array.prototype.findLast` for ES2022 targets: the last item matching a predicate.
export function findLastOf<T>(items: readonly T[], match: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i]!)) return items[i];
  return undefined;
}
