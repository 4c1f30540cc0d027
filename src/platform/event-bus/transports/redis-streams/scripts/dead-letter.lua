-- Dead-letters one pending delivery: writes the dead letter, then acknowledges the entry; or
-- does neither. Redis runs a script whole, but does not undo the commands run before one that
-- fails: so every command that can fail runs before the first write.
--
-- KEYS[1] dead-letter stream
-- KEYS[2] event stream
-- ARGV[1] consumer group (the pipeline), ARGV[2] entry id, ARGV[3] dead letters kept (MAXLEN ~),
-- ARGV[4..n] the dead letter's fields, name then value
-- Returns the dead letter's id; or false (nil to the caller) when the entry is no longer
-- pending in the group (handled by another consumer meanwhile), nothing written. Fails with
-- Redis's error (WRONGTYPE when the dead-letter key is not a stream, NOGROUP when the group is
-- gone) having written nothing: the entry stays pending.
if #redis.call('XPENDING', KEYS[2], ARGV[1], ARGV[2], ARGV[2], 1) == 0 then
  return false
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
return id
