/**
 * `text` cut to at most `max` characters (code points, as MySQL counts a VARCHAR's), never in
 * the middle of one: a surrogate pair cut in two is not valid UTF-8, which MySQL refuses. When
 * it is cut, `marker` (an ellipsis, say) ends it, within `max`.
 */
export function truncate(text: string, max: number, marker = ''): string {
  // Code units are never fewer than code points: a short text needs no counting.
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - Array.from(marker).length)).join('')}${marker}`;
}
