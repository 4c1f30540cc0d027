-- Counts one request of a client in a fixed window, atomically, on Redis's clock (replicas
-- whose clocks disagree still share one window).
--
-- KEYS[1] hits in the current window
-- KEYS[2] present while the client is blocked
-- ARGV[1] window (ms), ARGV[2] limit, ARGV[3] block duration (ms; 0: the rest of the window)
-- Returns { hits, window ms left, blocked (1 or 0), block ms left }. Past the limit the client
-- is blocked and its window dropped: requests while blocked are not counted, and the first
-- one after the block opens a new window, as in @nestjs/throttler's in-memory storage.
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  return { tonumber(redis.call('GET', KEYS[2])), blockedFor, 1, blockedFor }
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  windowLeft = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], windowLeft)
end
if hits <= tonumber(ARGV[2]) then
  return { hits, windowLeft, 0, 0 }
end
local blockFor = tonumber(ARGV[3])
if blockFor <= 0 then blockFor = windowLeft end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], hits, 'PX', blockFor)
return { hits, blockFor, 1, blockFor }
