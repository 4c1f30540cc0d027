-- Moves a dead letter back onto its event stream, once.
--
-- KEYS[1] dead-letter stream
-- KEYS[2] event stream
-- ARGV[1] dead-letter id, ARGV[2] envelope JSON, ARGV[3] target pipeline,
-- ARGV[4] trim strategy (MAXLEN, MINID or empty), ARGV[5] trim threshold
-- Returns the new entry id, or false (nil to the caller) when the dead letter is gone
-- (replayed or deleted by someone else meanwhile): XDEL doubles as the check, so two replays
-- never both happen.
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then
  return false
end
if ARGV[4] == '' then
  return redis.call('XADD', KEYS[2], '*', 'envelope', ARGV[2], 'pipeline', ARGV[3])
end
return redis.call('XADD', KEYS[2], ARGV[4], '~', ARGV[5], '*', 'envelope', ARGV[2], 'pipeline', ARGV[3])
