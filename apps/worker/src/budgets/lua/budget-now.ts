// Redis's clock, not the caller's: a worker's Date.now() goes stale while its call waits in the
// client's and the server's queues, and workers on different hosts disagree.
export const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;
