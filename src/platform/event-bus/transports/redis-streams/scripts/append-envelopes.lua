-- Appends the envelopes of one event stream, in order, trimming as XADD would.
--
-- KEYS[1] event stream
-- ARGV[1] trim strategy (MAXLEN, MINID or empty), ARGV[2] trim threshold,
-- ARGV[3..n] envelope JSON, one entry each
-- Returns the new entry ids, in the order of ARGV (one per envelope).
local ids = {}
for i = 3, #ARGV do
  if ARGV[1] == '' then
    ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'envelope', ARGV[i])
  else
    ids[#ids + 1] = redis.call('XADD', KEYS[1], ARGV[1], '~', ARGV[2], '*', 'envelope', ARGV[i])
  end
end
return ids
