// Work counters shared by the synaptic ops (int64 slots the host reads as LayerCounters):
// [0] synaptic events, [1] steps that took the event path, [2] steps that took the dense path.

// @ts-ignore: decorator
@inline export function bump_counters(counters: usize, events: i64, usedEvents: bool): void {
  if (counters == 0) return;
  store<i64>(counters, load<i64>(counters) + events);
  const k: usize = usedEvents ? 8 : 16;
  store<i64>(counters + k, load<i64>(counters + k) + 1);
}
